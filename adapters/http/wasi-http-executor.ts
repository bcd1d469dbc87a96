/**
 * The executor for `wasi:http/incoming-handler@0.2.x` components (what componentize-js
 * builds from a `fetch` handler): `handle(request, response-out)` on a fresh instance per
 * request (a StarlingMonkey instance answers one request only), with spindle's
 * `wasi:http/types` carrying the request in and the response out.
 */
import type { Component } from '../../src/adapter.ts';
import { type Executor, exportOf, GuestFailure } from './executor.ts';
import { withSpinHeaders } from './request-info.ts';
import { incomingHttpTypes, incomingRequest, methodOf, pollImport } from './wasi-http-types.ts';

const INCOMING_HANDLER = /^wasi:http\/incoming-handler@0\.2\.\d+$/;
/** Connection-level headers: not part of a wasi:http request (the shim's forbidden list). */
const CONNECTION_HEADERS = new Set(['host', 'connection', 'keep-alive']);

interface IncomingHandler {
  handle(request: unknown, responseOut: unknown): void;
}

export function wasiHttpExecutor(component: Component): Executor {
  const imports = { 'wasi:http/types': incomingHttpTypes, 'wasi:io/poll': pollImport() };
  return async (request) => {
    const exchange = incomingRequest({
      method: methodOf(request.method),
      pathWithQuery: request.info.pathAndQuery,
      scheme: { tag: request.info.scheme === 'https' ? 'HTTPS' : 'HTTP' },
      authority: request.info.host,
      headers: withSpinHeaders(request.headers, request.match, request.info).filter(
        ([name]) => !CONNECTION_HEADERS.has(name),
      ),
      body: request.body,
    });
    try {
      await component.withInstance(
        (exports) => {
          const handler = exportOf(exports, INCOMING_HANDLER) as IncomingHandler | undefined;
          if (handler === undefined) throw new Error('no wasi:http/incoming-handler export');
          handler.handle(exchange.request, exchange.outparam);
        },
        { imports },
      );
    } catch (cause) {
      throw new GuestFailure(500, `component ${component.id} trapped: ${(cause as Error)?.message ?? cause}`, {
        cause,
      });
    }
    const result = exchange.result();
    if ('error' in result) throw new GuestFailure(500, `component ${component.id}: ${result.error}`);
    return result.response;
  };
}
