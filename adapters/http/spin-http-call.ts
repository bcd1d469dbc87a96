/**
 * The guest call of the Spin HTTP executor (spin-executor.ts), run on the component's
 * worker threads: `handle-request(request) -> response`, the record in and out as plain data.
 */
import type { GuestCall } from '../../src/adapter.ts';
import { exportOf } from './executor.ts';

const INBOUND_HTTP = /^fermyon:spin\/inbound-http(@.+)?$/;

/** `fermyon:spin/http-types.request`, as jco lowers it. */
export interface SpinRequest {
  method: string;
  uri: string;
  headers: [string, string][];
  params: [string, string][];
  body: Uint8Array | undefined;
}

/** `fermyon:spin/http-types.response`, as jco lifts it. */
export interface SpinResponse {
  status: number;
  headers?: [string, string][];
  body?: Uint8Array;
}

interface InboundHttp {
  handleRequest(request: SpinRequest): SpinResponse;
}

export const spinHttpCall: GuestCall<SpinRequest, SpinResponse> = {
  run(exports, request) {
    const handler = exportOf(exports, INBOUND_HTTP) as InboundHttp | undefined;
    if (handler === undefined) throw new Error('no fermyon:spin/inbound-http export');
    return handler.handleRequest(request);
  },
};
