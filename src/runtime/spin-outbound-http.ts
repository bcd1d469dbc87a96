/**
 * Spin's v1 outbound HTTP (`fermyon:spin/http` `send-request`), built on the same
 * guarded `wasi:http/outgoing-handler` as WASI guests (outbound-http.ts): the same
 * allow-list, timeouts and refusal notes. The call is synchronous for the guest and the
 * whole response body is returned as one list, so it is read up to a cap.
 */

import { type OutboundConfig, type OutboundNotes, outgoingHandler, type ShimOutgoingRequest } from './outbound-http.ts';
import { http } from './preview2-shim.ts';

/** `fermyon:spin/http-types` `request` as jco lifts it. */
export interface SpinRequest {
  method: 'get' | 'post' | 'put' | 'delete' | 'patch' | 'head' | 'options';
  uri: string;
  headers: [string, string][];
  params: [string, string][];
  body?: Uint8Array;
}

export interface SpinResponse {
  status: number;
  headers?: [string, string][];
  body?: Uint8Array;
}

/**
 * The `fermyon:spin/http-types` `http-error` cases Spin's `send-request` returns, as a
 * guest sees them (the err case is thrown). As in Spin (crates/factor-outbound-http
 * src/spin.rs), every failure of the request itself (refused connection, timeout, a body
 * that breaks off) is `runtime-error`; `request-error` is never returned.
 */
export type SpinHttpError = 'destination-not-allowed' | 'invalid-url' | 'runtime-error';

/**
 * The most of a response body `send-request` returns: it lands whole in the guest's
 * memory (256 MB by default). A WASI guest (`fetch`) streams instead.
 */
export const MAX_SPIN_RESPONSE_BYTES = 16 * 1024 * 1024;

const CHUNK = 64 * 1024;

/**
 * preview2-shim 0.26 answers a blocking read of a body whose connection failed with
 * empty chunks instead of an error: this many in a row end the read as a request error.
 */
const MAX_EMPTY_READS = 100;

interface InputStream {
  blockingRead(len: bigint): Uint8Array;
}
interface OutputStream {
  blockingWriteAndFlush(bytes: Uint8Array): void;
  [Symbol.dispose](): void;
}
interface Pollable {
  block(): void;
}
interface Fields {
  entries(): [string, Uint8Array][];
}
interface IncomingResponse {
  status(): number;
  headers(): Fields;
  consume(): { stream(): InputStream };
}
type FutureValue = { tag: 'ok'; val: { tag: 'ok'; val: IncomingResponse } | { tag: 'err'; val: unknown } } | undefined;
interface OutgoingRequest extends ShimOutgoingRequest {
  setMethod(method: { tag: string }): void;
  setPathWithQuery(path: string): void;
  body(): { write(): OutputStream };
}
interface ShimTypes {
  Fields: { fromList(entries: [string, Uint8Array][]): unknown };
  OutgoingRequest: new (fields: unknown) => OutgoingRequest;
  OutgoingBody: { finish(body: unknown, trailers: undefined): void };
}
const types = (http as unknown as { types: ShimTypes }).types;

/** The `fermyon:spin/http` import of one instance. */
export function spinHttpImport(config: OutboundConfig, notes: OutboundNotes) {
  const handler = outgoingHandler(config, notes);
  return {
    sendRequest(request: SpinRequest): SpinResponse {
      let outgoing: OutgoingRequest;
      try {
        outgoing = toOutgoing(request);
      } catch {
        notes.add(`component ${config.componentId} sent a request to an invalid URL ${JSON.stringify(request.uri)}`);
        throw 'invalid-url' satisfies SpinHttpError;
      }
      let future: { subscribe(): Pollable; get(): FutureValue };
      try {
        future = handler.handle(outgoing, undefined) as typeof future;
      } catch (code) {
        throw spinError(code);
      }
      future.subscribe().block();
      const value = future.get();
      if (value === undefined || value.tag !== 'ok') throw 'runtime-error' satisfies SpinHttpError;
      if (value.val.tag === 'err') throw spinError(value.val.val);
      return readResponse(value.val.val, config, notes);
    },
  };
}

function toOutgoing(request: SpinRequest): OutgoingRequest {
  const encoder = new TextEncoder();
  const fields = types.Fields.fromList(request.headers.map(([name, value]) => [name, encoder.encode(value)]));
  const outgoing = new types.OutgoingRequest(fields);
  outgoing.setMethod({ tag: request.method });
  // A relative URI (`/path`) is Spin's request to the app itself: no scheme or authority.
  if (!request.uri.startsWith('/')) {
    const url = new URL(request.uri);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported scheme ${url.protocol}`);
    outgoing.setScheme({ tag: url.protocol === 'http:' ? 'HTTP' : 'HTTPS' });
    outgoing.setAuthority(url.host);
    outgoing.setPathWithQuery(`${url.pathname}${url.search}`);
  } else {
    outgoing.setPathWithQuery(request.uri);
  }
  const body = outgoing.body();
  if (request.body !== undefined && request.body.length > 0) {
    const stream = body.write();
    for (let at = 0; at < request.body.length; at += 4096) {
      stream.blockingWriteAndFlush(request.body.subarray(at, at + 4096));
    }
    stream[Symbol.dispose]();
  }
  types.OutgoingBody.finish(body, undefined);
  return outgoing;
}

function readResponse(response: IncomingResponse, config: OutboundConfig, notes: OutboundNotes): SpinResponse {
  const decoder = new TextDecoder();
  const headers = response
    .headers()
    .entries()
    .map(([name, value]): [string, string] => [name, decoder.decode(value)]);
  const stream = response.consume().stream();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let empty = 0;
  for (;;) {
    let chunk: Uint8Array;
    try {
      chunk = stream.blockingRead(BigInt(CHUNK));
    } catch (error) {
      if ((error as { tag?: string } | undefined)?.tag === 'closed') break;
      // Why is noted by the outgoing handler's watch on the body (response-body-notes.ts).
      throw 'runtime-error' satisfies SpinHttpError;
    }
    empty = chunk.length === 0 ? empty + 1 : 0;
    if (empty > MAX_EMPTY_READS) {
      notes.add(
        `outbound HTTP from component ${config.componentId} lost the connection after ${size} bytes of the response body`,
      );
      throw 'runtime-error' satisfies SpinHttpError;
    }
    size += chunk.length;
    if (size > MAX_SPIN_RESPONSE_BYTES) {
      notes.add(
        `component ${config.componentId} received a response body over ${MAX_SPIN_RESPONSE_BYTES} bytes through fermyon:spin/http (use wasi:http to stream it)`,
      );
      throw 'runtime-error' satisfies SpinHttpError;
    }
    chunks.push(chunk);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  return { status: response.status(), headers, body };
}

/** Spin's v1 error for a `wasi:http` error code. */
function spinError(code: unknown): SpinHttpError {
  const tag = (code as { tag?: string } | undefined)?.tag;
  if (tag === 'HTTP-request-denied') return 'destination-not-allowed';
  if (tag === 'HTTP-request-URI-invalid') return 'invalid-url';
  return 'runtime-error';
}
