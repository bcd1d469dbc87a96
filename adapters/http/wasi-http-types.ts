/**
 * The host side of `wasi:http/types` for serving one incoming request, on the thread the
 * guest runs on (a worker: wasi-http-call.ts).
 *
 * preview2-shim's own types run their HTTP server in its I/O worker thread and keep the
 * constructors of incoming requests and response outparams private, so they cannot carry
 * a request spindle already received. These classes replace the incoming half
 * (incoming-request, incoming-body, future-trailers, outgoing-response, outgoing-body,
 * response-outparam); `fields` and the outgoing-request half are the shim's (outbound
 * HTTP goes through the runtime's outgoing-handler, its allow-list and service chaining;
 * the body of its response is the shim's, which IncomingBody accepts too). Streams and
 * pollables extend the shim's classes, which the generated glue checks with `instanceof`. The classes hold no shared state:
 * everything lives in the instances of one request.
 */
import * as http from '@bytecodealliance/preview2-shim/http';
import * as io from '@bytecodealliance/preview2-shim/io';

interface ShimFields {
  entries(): [string, Uint8Array][];
  append(name: string, value: Uint8Array): void;
}
interface ShimFieldsClass {
  new (): ShimFields;
  fromList(entries: [string, Uint8Array][]): ShimFields;
}
const shimTypes = http.types as unknown as Record<string, unknown> & { Fields: ShimFieldsClass };
const { Fields } = shimTypes;
const StreamBase = io.streams.InputStream as unknown as new () => object;
const OutputBase = io.streams.OutputStream as unknown as new () => object;
const PollableBase = io.poll.Pollable as unknown as new () => object;
const ShimIncomingBody = shimTypes.IncomingBody as abstract new () => object;

/** `wasi:http/types.method`. */
export type Method = { tag: string; val?: string };
export type Scheme = { tag: 'HTTP' | 'HTTPS' };

/** What the guest responded: the status, headers and body it wrote. */
export interface GuestResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
}

const STANDARD_METHODS = new Set(['get', 'head', 'post', 'put', 'delete', 'connect', 'options', 'trace', 'patch']);

export function methodOf(method: string): Method {
  const lower = method.toLowerCase();
  return STANDARD_METHODS.has(lower) ? { tag: lower } : { tag: 'other', val: method };
}

/** A pollable that is always ready: the whole request body is in memory. */
class ReadyPollable extends PollableBase {
  ready(): boolean {
    return true;
  }
  block(): void {}
}

/** `wasi:io/poll.poll` that knows ReadyPollable, and defers to the shim for the rest. */
export function pollImport(): Record<string, unknown> {
  const shimPoll = io.poll.poll as (list: object[]) => Uint32Array;
  return {
    ...io.poll,
    poll(list: object[]): Uint32Array {
      const ready = list.flatMap((p, i) => (p instanceof ReadyPollable ? [i] : []));
      if (ready.length > 0) return new Uint32Array(ready);
      return shimPoll(list);
    },
  };
}

/** An input-stream over bytes already received. */
class BodyStream extends StreamBase {
  #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    super();
    this.#bytes = bytes;
  }
  read(len: bigint): Uint8Array {
    if (this.#bytes.length === 0) throw { tag: 'closed' };
    const n = Math.min(Number(len), this.#bytes.length);
    const chunk = this.#bytes.slice(0, n);
    this.#bytes = this.#bytes.subarray(n);
    return chunk;
  }
  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }
  skip(len: bigint): bigint {
    return BigInt(this.read(len).length);
  }
  blockingSkip(len: bigint): bigint {
    return this.skip(len);
  }
  subscribe(): ReadyPollable {
    return new ReadyPollable();
  }
}

class FutureTrailers {
  #taken = false;
  subscribe(): ReadyPollable {
    return new ReadyPollable();
  }
  /** option<result<result<option<trailers>, error-code>>>: ready, no trailers; once. */
  get(): unknown {
    if (this.#taken) return { tag: 'err', val: undefined };
    this.#taken = true;
    return { tag: 'ok', val: { tag: 'ok', val: undefined } };
  }
}

class IncomingBody {
  #stream: BodyStream | undefined;

  /**
   * The body of an outbound response (the guest's `fetch`) is the shim's: the guest knows
   * one `incoming-body` type, and the glue checks a body it is handed against this class.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(IncomingBody, value) || value instanceof ShimIncomingBody;
  }

  constructor(bytes: Uint8Array) {
    this.#stream = new BodyStream(bytes);
  }
  stream(): BodyStream {
    const stream = this.#stream;
    if (stream === undefined) throw undefined; // result<input-stream> err: already taken
    this.#stream = undefined;
    return stream;
  }
  static finish(_body: IncomingBody): FutureTrailers {
    return new FutureTrailers();
  }
}

export interface IncomingRequestData {
  method: Method;
  pathWithQuery: string;
  scheme: Scheme;
  authority: string;
  /** Lower-case names; connection-level headers (host, connection, keep-alive) left out. */
  headers: [string, string][];
  body: Uint8Array;
}

class IncomingRequest {
  readonly #data: IncomingRequestData;
  #consumed = false;

  constructor(data: IncomingRequestData) {
    this.#data = data;
  }
  method(): Method {
    return this.#data.method;
  }
  pathWithQuery(): string {
    return this.#data.pathWithQuery;
  }
  scheme(): Scheme {
    return this.#data.scheme;
  }
  authority(): string {
    return this.#data.authority;
  }
  headers(): ShimFields {
    const encoder = new TextEncoder();
    const fields = new Fields();
    for (const [name, value] of this.#data.headers) {
      try {
        fields.append(name, encoder.encode(value));
      } catch {
        // A header the shim's Fields rejects (forbidden or invalid syntax) is left out
        // rather than trapping the guest.
      }
    }
    return fields;
  }
  consume(): IncomingBody {
    if (this.#consumed) throw undefined; // result<incoming-body> err: already consumed
    this.#consumed = true;
    return new IncomingBody(this.#data.body);
  }
}

/** An output-stream collecting what the guest writes into the response body. */
class BodySink extends OutputBase {
  readonly chunks: Uint8Array[] = [];

  checkWrite(): bigint {
    return 1n << 20n;
  }
  write(bytes: Uint8Array): void {
    this.chunks.push(bytes.slice());
  }
  blockingWriteAndFlush(bytes: Uint8Array): void {
    this.write(bytes);
  }
  flush(): void {}
  blockingFlush(): void {}
  writeZeroes(len: bigint): void {
    this.chunks.push(new Uint8Array(Number(len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
  }
  splice(): never {
    throw { tag: 'closed' };
  }
  blockingSplice(): never {
    throw { tag: 'closed' };
  }
  subscribe(): ReadyPollable {
    return new ReadyPollable();
  }
}

class OutgoingBody {
  readonly sink = new BodySink();
  #written = false;
  finished = false;

  write(): BodySink {
    if (this.#written) throw undefined; // result<output-stream> err: already taken
    this.#written = true;
    return this.sink;
  }
  static finish(body: OutgoingBody, _trailers?: unknown): void {
    body.finished = true;
  }
}

class OutgoingResponse {
  readonly #headers: ShimFields;
  #status = 200;
  #body: OutgoingBody | undefined;

  constructor(headers: ShimFields) {
    this.#headers = headers;
  }
  statusCode(): number {
    return this.#status;
  }
  setStatusCode(status: number): void {
    if (!Number.isInteger(status) || status < 100 || status > 999) throw undefined;
    this.#status = status;
  }
  headers(): ShimFields {
    return this.#headers;
  }
  body(): OutgoingBody {
    if (this.#body !== undefined) throw undefined; // result<outgoing-body> err: already taken
    this.#body = new OutgoingBody();
    return this.#body;
  }
  /** Host side: what the guest responded (its body as written so far). */
  toGuestResponse(): GuestResponse {
    const decoder = new TextDecoder();
    const chunks = this.#body?.sink.chunks ?? [];
    return {
      status: this.#status,
      headers: this.#headers.entries().map(([name, value]) => [name, decoder.decode(value)]),
      body: Buffer.concat(chunks),
    };
  }
}

type ResponseResult = { tag: 'ok'; val: OutgoingResponse } | { tag: 'err'; val: unknown };

class ResponseOutparam {
  readonly #settle: (result: ResponseResult) => void;
  #set = false;

  constructor(settle: (result: ResponseResult) => void) {
    this.#settle = settle;
  }
  static set(param: ResponseOutparam, response: ResponseResult): void {
    if (param.#set) throw new Error('response-outparam.set called twice');
    param.#set = true;
    param.#settle(response);
  }
}

/** The `wasi:http/types` import for guests served by spindle's HTTP trigger. */
export const incomingHttpTypes: Record<string, unknown> = {
  ...shimTypes,
  FutureTrailers,
  IncomingBody,
  IncomingRequest,
  OutgoingBody,
  OutgoingResponse,
  ResponseOutparam,
};

/** One request for the guest, and a way to read what it answered once `handle` returned. */
export function incomingRequest(data: IncomingRequestData): {
  request: IncomingRequest;
  outparam: ResponseOutparam;
  /** The response, or why there is none. */
  result(): { response: GuestResponse } | { error: string };
} {
  let outcome: ResponseResult | undefined;
  const outparam = new ResponseOutparam((result) => {
    outcome = result;
  });
  return {
    request: new IncomingRequest(data),
    outparam,
    result() {
      if (outcome === undefined) return { error: 'the component returned without setting a response' };
      if (outcome.tag === 'err')
        return { error: `the component responded with an error: ${JSON.stringify(outcome.val)}` };
      return { response: outcome.val.toGuestResponse() };
    },
  };
}
