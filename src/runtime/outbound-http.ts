/**
 * `wasi:http/outgoing-handler` under the component's allow-list. Every request is
 * checked before it leaves (Spin's `HttpRequestDenied` otherwise) and gets timeouts; the
 * request itself goes out through preview2-shim's handler, which sends it from the shim's
 * I/O worker thread and streams the response body to the guest as it reads.
 * No redirect is followed by the host: a guest (fetch) that follows one makes a new
 * request, checked like the first.
 */
import { isMainThread } from 'node:worker_threads';
import { type AllowedHost, allows, allowsSelf, type OutboundTarget, outboundTarget } from '../app/allowed-hosts.ts';
import { chainedComponentId } from '../host/service-chaining.ts';
import type { Outcome } from './event-handler.ts';
import { http } from './preview2-shim.ts';
import { type ShimIncomingResponse, watchResponseBody } from './response-body-notes.ts';
import { chainPath, type SelfOrigin, selfAuthority } from './self-origin.ts';

/** What a component may reach, resolved at start; plain data, it travels to worker threads. */
export interface OutboundConfig {
  componentId: string;
  allowedHosts: AllowedHost[];
  /** Bound on each wait of an outbound request (connect, response headers, body bytes), in ms. */
  timeoutMs: number;
  /** The app's own listener, for relative URLs (`self`); none when the app does not listen. */
  self?: SelfOrigin;
}

/** A `wasi:http/types` error-code as jco lowers it. */
type ErrorCode = { tag: string; val?: unknown };
type Duration = bigint;

export interface ShimRequestOptions {
  connectTimeout(): Duration | undefined;
  firstByteTimeout(): Duration | undefined;
  betweenBytesTimeout(): Duration | undefined;
  setConnectTimeout(duration: Duration | undefined): void;
  setFirstByteTimeout(duration: Duration | undefined): void;
  setBetweenBytesTimeout(duration: Duration | undefined): void;
}

/** The parts of the shim's `outgoing-request` resource the check reads. */
export interface ShimOutgoingRequest {
  scheme(): { tag: 'HTTP' | 'HTTPS' } | { tag: 'other'; val: string } | undefined;
  authority(): string | undefined;
  pathWithQuery(): string | undefined;
  setScheme(scheme: { tag: 'HTTP' | 'HTTPS' }): void;
  setAuthority(authority: string): void;
  setPathWithQuery(path: string): void;
}

// The Node build of the shim exports the handler; its declarations list only its type.
interface ShimHttp {
  outgoingHandler: { handle(request: ShimOutgoingRequest, options: ShimRequestOptions | undefined): unknown };
  types: { RequestOptions: new () => ShimRequestOptions };
}
const shim = http as unknown as ShimHttp;

/**
 * Why requests of the current use were refused, in words that name the host and the
 * manifest field: the guest sees only an error code. Guest calls are synchronous, so
 * whatever is recorded between `take`s belongs to one event.
 */
export class OutboundNotes {
  #notes: string[] = [];
  add(note: string): void {
    if (this.#notes.length < 8) this.#notes.push(note);
  }
  take(): string[] {
    return this.#notes.splice(0);
  }
}

/** The `wasi:http/outgoing-handler` import of one instance. */
export function outgoingHandler(config: OutboundConfig, notes: OutboundNotes) {
  return {
    handle(request: ShimOutgoingRequest, options: ShimRequestOptions | undefined): unknown {
      const refusal = checkOutbound(config, request);
      if (refusal !== undefined) {
        notes.add(refusal.note);
        throw refusal.code;
      }
      const bounded = boundedOptions(options, config.timeoutMs);
      const future = shim.outgoingHandler.handle(request, bounded);
      noteFailure(future as ShimFuture, config, notes, `${schemeOf(request)}://${request.authority()}`, bounded);
      return future;
    },
  };
}

interface ShimFuture {
  get(): { tag: 'ok'; val: { tag: 'ok' | 'err'; val: unknown } } | { tag: 'err' } | undefined;
}

/**
 * Notes why the request failed when the guest takes a failure from its future (a
 * timeout, a refused connection), or later from the response body: the guest's own
 * message is often a bare "NetworkError". The method is replaced on the instance
 * itself, since jco's glue checks that the resource is the shim's class.
 */
function noteFailure(
  future: ShimFuture,
  config: OutboundConfig,
  notes: OutboundNotes,
  origin: string,
  options: ShimRequestOptions,
): void {
  const what = `outbound HTTP from component ${config.componentId} to ${origin}`;
  const timeouts = `outbound_timeout_ms = ${config.timeoutMs}, or the guest's request options if smaller`;
  const get = future.get.bind(future);
  future.get = () => {
    const value = get();
    if (value?.tag === 'ok' && value.val.tag === 'err') {
      const code = (value.val.val as ErrorCode | undefined)?.tag ?? 'internal-error';
      notes.add(`${what} ${code.endsWith('timeout') ? `timed out (${code}; ${timeouts})` : `failed: ${code}`}`);
    } else if (value?.tag === 'ok') {
      // The body's inactivity timeout: the first-byte one until it starts, then between bytes.
      const quiet = [options.firstByteTimeout(), options.betweenBytesTimeout()].reduce<bigint>(
        (a, b) => (b !== undefined && b < a ? b : a),
        BigInt(config.timeoutMs) * 1_000_000n,
      );
      watchResponseBody(value.val.val as ShimIncomingResponse, Number(quiet / 1_000_000n), ({ received, timedOut }) =>
        notes.add(
          timedOut
            ? `${what} timed out between bytes of the response body after ${received} bytes (${timeouts})`
            : `${what} lost the connection after ${received} bytes of the response body`,
        ),
      );
    }
    return value;
  };
}

/**
 * Undefined if `request` may leave; else the error code for the guest and a note for
 * the user. The one place where a request's destination is decided.
 */
export function checkOutbound(
  config: OutboundConfig,
  request: ShimOutgoingRequest,
): { code: ErrorCode; note: string } | undefined {
  const scheme = schemeOf(request);
  const authority = request.authority() ?? '';
  if (authority === '') {
    // A relative URL means the app itself (Spin's `self`).
    if (!allowsSelf(config.allowedHosts)) return denied(config, 'the app itself (a relative URL)', 'self');
    return toSelf(config, request);
  }
  const target = outboundTarget(`${scheme}://${authority}/`);
  if (target === undefined) {
    return {
      code: { tag: 'HTTP-request-URI-invalid' },
      note: `component ${config.componentId} made a request to an invalid URL ${scheme}://${authority}`,
    };
  }
  const origin = originOf(target);
  if (!allows(config.allowedHosts, target)) return denied(config, origin, origin);
  return serviceChaining(config, target, request);
}

/**
 * Point a relative request at the app's own listener, as Spin does with its
 * self-request origin.
 */
function toSelf(config: OutboundConfig, request: ShimOutgoingRequest): { code: ErrorCode; note: string } | undefined {
  const listener = ownListener(config);
  if ('why' in listener) {
    return {
      code: { tag: 'HTTP-request-URI-invalid' },
      note: `component ${config.componentId} made a request to the app itself (a relative URL): ${listener.why}`,
    };
  }
  request.setScheme({ tag: listener.self.tls ? 'HTTPS' : 'HTTP' });
  request.setAuthority(listener.authority);
  return undefined;
}

/**
 * Spin's service chaining: a request to `http://<component>.spin.internal/` calls that
 * HTTP component of the app, private ones included. It goes to the app's own listener
 * on a path only this process can name (chainPath), which hands it to the component.
 */
function serviceChaining(
  config: OutboundConfig,
  target: OutboundTarget,
  request: ShimOutgoingRequest,
): { code: ErrorCode; note: string } | undefined {
  const componentId = chainedComponentId(`http://${target.host}/`);
  if (componentId === undefined) return undefined;
  const listener = ownListener(config);
  if ('why' in listener) {
    return {
      code: { tag: 'destination-unavailable' },
      note: `component ${config.componentId} called ${originOf(target)} (service chaining): ${listener.why}`,
    };
  }
  request.setScheme({ tag: listener.self.tls ? 'HTTPS' : 'HTTP' });
  request.setAuthority(listener.authority);
  request.setPathWithQuery(chainPath(listener.self, componentId, request.pathWithQuery() ?? '/'));
  return undefined;
}

/**
 * The app's listener, for requests to the app itself, or why there is none to use: a
 * guest on the main thread (`threads = 0`: guests of every world run on workers otherwise)
 * would wait for the very thread that must answer it.
 */
function ownListener(config: OutboundConfig): { self: SelfOrigin; authority: string } | { why: string } {
  const authority = config.self === undefined ? undefined : selfAuthority(config.self);
  if (config.self === undefined || authority === undefined) return { why: 'the app has no listener to serve it' };
  if (isMainThread) return { why: 'the guest runs on the main thread, which serves the request (set threads >= 1)' };
  return { self: config.self, authority };
}

function denied(config: OutboundConfig, what: string, host: string) {
  const allowed = config.allowedHosts.map((h) => h.text);
  const list = allowed.length === 0 ? 'it allows none' : `allowed: ${allowed.join(', ')}`;
  return {
    code: { tag: 'HTTP-request-denied' },
    note: `outbound HTTP from component ${config.componentId} to ${what} denied: ${host} is not in its allowed_outbound_hosts (${list})`,
  };
}

function schemeOf(request: ShimOutgoingRequest): string {
  const scheme = request.scheme();
  if (scheme === undefined) return 'https'; // the shim's default too
  return scheme.tag === 'other' ? scheme.val.toLowerCase() : scheme.tag.toLowerCase();
}

function originOf(target: OutboundTarget): string {
  return `${target.scheme}://${target.host}${target.port === undefined ? '' : `:${target.port}`}`;
}

/**
 * The guest's request options with every timeout at most `timeoutMs`. The shim applies
 * the connect timeout as an inactivity timeout until the response headers arrive (so it
 * bounds the first byte too), then the first-byte and between-bytes ones to the body: the
 * smallest the guest set before the headers is the one that holds.
 */
export function boundedOptions(options: ShimRequestOptions | undefined, timeoutMs: number): ShimRequestOptions {
  const limit = BigInt(timeoutMs) * 1_000_000n;
  const min = (...values: (Duration | undefined)[]) =>
    values.reduce<Duration>((a, b) => (b !== undefined && b < a ? b : a), limit);
  const connect = options?.connectTimeout();
  const firstByte = options?.firstByteTimeout();
  const betweenBytes = options?.betweenBytesTimeout();
  const bounded = new shim.types.RequestOptions();
  bounded.setConnectTimeout(min(connect, firstByte));
  bounded.setFirstByteTimeout(min(firstByte));
  bounded.setBetweenBytesTimeout(min(betweenBytes));
  return bounded;
}

/**
 * `outcome` with the refusals noted during the call appended to its error: the guest
 * sees only an error code, the user reads the host and the field in the error or the
 * dead letter.
 */
export function withNotes(outcome: Outcome, notes: readonly string[]): Outcome {
  if (!('err' in outcome) || notes.length === 0) return outcome;
  return { err: { tag: outcome.err.tag, val: withNotesText(outcome.err.val, notes) } };
}

/** A message with the refusals noted during the call appended. */
export function withNotesText(message: string, notes: readonly string[]): string {
  return notes.length === 0 ? message : `${message} [${notes.join('; ')}]`;
}
