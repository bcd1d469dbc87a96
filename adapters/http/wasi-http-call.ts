/**
 * The guest call of the WASI HTTP executor (wasi-http-executor.ts), run on the
 * component's worker threads: the request objects of spindle's `wasi:http/types` are
 * built there from plain data, `handle(request, response-out)` runs on a fresh instance
 * (a StarlingMonkey instance answers one request only), and the response goes back as
 * plain data.
 */
import type { GuestCall } from '../../src/adapter.ts';
import { exportOf } from './executor.ts';
import {
  type GuestResponse,
  type IncomingRequestData,
  incomingHttpTypes,
  incomingRequest,
  pollImport,
} from './wasi-http-types.ts';

const INCOMING_HANDLER = /^wasi:http\/incoming-handler@0\.2\.\d+$/;

interface IncomingHandler {
  handle(request: unknown, responseOut: unknown): void;
}

export const wasiHttpCall: GuestCall<IncomingRequestData, { response: GuestResponse } | { error: string }> = {
  imports: () => ({ 'wasi:http/types': incomingHttpTypes, 'wasi:io/poll': pollImport() }),
  run(exports, data) {
    const handler = exportOf(exports, INCOMING_HANDLER) as IncomingHandler | undefined;
    if (handler === undefined) throw new Error('no wasi:http/incoming-handler export');
    const exchange = incomingRequest(data);
    handler.handle(exchange.request, exchange.outparam);
    return exchange.result();
  },
};
