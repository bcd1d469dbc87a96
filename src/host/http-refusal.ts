import type { ServerResponse } from 'node:http';
import { SpindleError } from '../errors.ts';

/**
 * A request refused before any component saw it (too large, too slow, too many, never
 * valid), with the status the client gets and a reason that names the limit broken.
 */
export class HttpRefusal extends SpindleError {
  override name = 'HttpRefusal';
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(status: number, reason: string, options: { headers?: Record<string, string>; cause?: unknown } = {}) {
    super(reason, { cause: options.cause });
    this.status = status;
    this.headers = options.headers ?? {};
  }
}

/** Seconds a client told 503 should wait before it tries again. */
export const RETRY_AFTER_SECONDS = 1;

/** Answer `refusal` as plain text, unless an answer has started or the client is gone. */
export function answerRefusal(res: ServerResponse, refusal: HttpRefusal): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = refusal.status;
  for (const [name, value] of Object.entries(refusal.headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(`${refusal.message}\n`);
}
