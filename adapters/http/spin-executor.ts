/**
 * Spin's default executor for `fermyon:spin/inbound-http` components: one
 * `handle-request(request) -> response` call with the request record of Spin's HTTP
 * guide (uri = path and query; headers with the spin-* set; params always empty).
 */
import { type Component, guestCallRef } from '../../src/adapter.ts';
import { type Executor, guestFailure } from './executor.ts';
import { withSpinHeaders } from './request-info.ts';
import type { SpinResponse, spinHttpCall } from './spin-http-call.ts';

/** `fermyon:spin/http-types.method`: the methods a Spin HTTP component can receive. */
const METHODS = new Set(['get', 'post', 'put', 'delete', 'patch', 'head', 'options']);
const SPIN_HTTP_CALL = guestCallRef<typeof spinHttpCall>(import.meta.url, './spin-http-call', 'spinHttpCall');

export function spinExecutor(component: Component): Executor {
  return async (request) => {
    const method = request.method.toLowerCase();
    if (!METHODS.has(method)) {
      return {
        status: 405,
        headers: [['content-type', 'text/plain']],
        body: new TextEncoder().encode('Method Not Allowed\n'),
      };
    }
    const record = {
      method,
      uri: request.info.pathAndQuery,
      headers: withSpinHeaders(request.headers, request.match, request.info),
      params: [] as [string, string][],
      body: request.body.length > 0 ? request.body : undefined,
    };
    let response: SpinResponse;
    try {
      response = await component.call(SPIN_HTTP_CALL, record);
    } catch (cause) {
      throw guestFailure(component, cause);
    }
    return { status: response.status, headers: response.headers ?? [], body: response.body ?? new Uint8Array() };
  };
}
