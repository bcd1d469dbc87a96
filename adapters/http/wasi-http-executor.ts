/**
 * The executor for `wasi:http/incoming-handler@0.2.x` components (what componentize-js
 * builds from a `fetch` handler): `handle(request, response-out)` on a fresh instance per
 * request (a StarlingMonkey instance answers one request only), on the component's worker
 * threads (wasi-http-call.ts): the request goes there and the response comes back as data.
 */
import { type Component, guestCallRef } from '../../src/adapter.ts';
import { type Executor, GuestFailure, guestFailure } from './executor.ts';
import { withSpinHeaders } from './request-info.ts';
import type { wasiHttpCall } from './wasi-http-call.ts';
import { methodOf } from './wasi-http-types.ts';

const WASI_HTTP_CALL = guestCallRef<typeof wasiHttpCall>(import.meta.url, './wasi-http-call', 'wasiHttpCall');
/** Connection-level headers: not part of a wasi:http request (the shim's forbidden list). */
const CONNECTION_HEADERS = new Set(['host', 'connection', 'keep-alive']);

export function wasiHttpExecutor(component: Component): Executor {
  return async (request) => {
    const data = {
      method: methodOf(request.method),
      pathWithQuery: request.info.pathAndQuery,
      scheme: { tag: request.info.scheme === 'https' ? ('HTTPS' as const) : ('HTTP' as const) },
      authority: request.info.host,
      headers: withSpinHeaders(request.headers, request.match, request.info).filter(
        ([name]) => !CONNECTION_HEADERS.has(name),
      ),
      body: request.body,
    };
    let result: Awaited<ReturnType<typeof wasiHttpCall.run>>;
    try {
      result = await component.call(WASI_HTTP_CALL, data);
    } catch (cause) {
      throw guestFailure(component, cause);
    }
    if ('error' in result) throw new GuestFailure(500, `component ${component.id}: ${result.error}`);
    return result.response;
  };
}
