/**
 * How one matched request is run: an executor per component, picked by the world the
 * component implements (or `executor = { type = "wagi" }`). Executors take and return
 * plain data; the trigger does the HTTP.
 */
import type { RequestInfo } from './request-info.ts';
import type { RouteMatch } from './routes.ts';

export interface ExecutorRequest {
  method: string;
  /** The client's headers (lower-case names), as received. */
  headers: [string, string][];
  body: Uint8Array;
  info: RequestInfo;
  match: RouteMatch<unknown>;
}

export interface ExecutorResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
}

export type Executor = (request: ExecutorRequest) => Promise<ExecutorResponse>;

/** A guest failure the client sees as `status` (500 for a trap, 502 for a bad response). */
export class GuestFailure extends Error {
  override name = 'GuestFailure';
  readonly status: number;

  constructor(status: number, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
  }
}

/** A guest call that failed (a ComponentError naming the component and why), as a 500. */
export function guestFailure(component: { id: string }, cause: unknown): GuestFailure {
  const text = cause instanceof Error ? cause.message : `component ${component.id} trapped: ${String(cause)}`;
  return new GuestFailure(500, text, { cause });
}

/** The export object of `interface` among jco's export keys (`'fermyon:spin/inbound-http'`...). */
export function exportOf(exports: Record<string, unknown>, pattern: RegExp): unknown {
  const key = Object.keys(exports).find((name) => pattern.test(name));
  return key === undefined ? undefined : exports[key];
}
