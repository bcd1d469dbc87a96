/**
 * Spin's default executor for `fermyon:spin/inbound-http` components: one
 * `handle-request(request) -> response` call with the request record of Spin's HTTP
 * guide (uri = path and query; headers with the spin-* set; params always empty).
 */
import type { Component } from '../../src/adapter.ts';
import { type Executor, exportOf, GuestFailure } from './executor.ts';
import { withSpinHeaders } from './request-info.ts';

/** `fermyon:spin/http-types.method`: the methods a Spin HTTP component can receive. */
const METHODS = new Set(['get', 'post', 'put', 'delete', 'patch', 'head', 'options']);
const INBOUND_HTTP = /^fermyon:spin\/inbound-http(@.+)?$/;

interface SpinResponse {
  status: number;
  headers?: [string, string][];
  body?: Uint8Array;
}
interface InboundHttp {
  handleRequest(request: unknown): SpinResponse;
}

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
      params: [],
      body: request.body.length > 0 ? request.body : undefined,
    };
    let response: SpinResponse;
    try {
      response = await component.withInstance((exports) => {
        const handler = exportOf(exports, INBOUND_HTTP) as InboundHttp | undefined;
        if (handler === undefined) throw new Error('no fermyon:spin/inbound-http export');
        return handler.handleRequest(record);
      });
    } catch (cause) {
      throw new GuestFailure(500, `component ${component.id} trapped: ${(cause as Error)?.message ?? cause}`, {
        cause,
      });
    }
    return { status: response.status, headers: response.headers ?? [], body: response.body ?? new Uint8Array() };
  };
}
