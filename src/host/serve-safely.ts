import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Admission } from '../delivery/admission.ts';
import { answerRefusal, HttpRefusal, RETRY_AFTER_SECONDS } from './http-refusal.ts';

/**
 * Run one request's handling so that nothing it throws escapes: a refusal is answered
 * with its status, a client that went away (aborted, reset, timed out) ends only its
 * own request, and anything else is logged and answered 500. Every HTTP trigger serves
 * through this, so that no client can turn an error into an unhandled rejection.
 */
export async function serveSafely(logger: Logger, res: ServerResponse, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof HttpRefusal) return answerRefusal(res, error);
    if (res.req.destroyed || res.destroyed) {
      logger.debug({ err: (error as Error).message }, 'the client went away before its request was served');
      return;
    }
    logger.error({ err: error }, 'unexpected failure serving a request');
    answerRefusal(res, new HttpRefusal(500, 'internal error'));
  }
}

/** What an HTTP trigger answers when `max_events_in_flight` events are being processed. */
export function busyRefusal(limit: number): HttpRefusal {
  return new HttpRefusal(
    503,
    `spindle is processing ${limit} events, its limit (max_events_in_flight = ${limit}); try again`,
    { headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } },
  );
}

/**
 * `work` run holding room for one event in flight, or an HttpRefusal 503 when there is
 * none: for HTTP triggers that run components themselves, once the request is read (a
 * slow upload must not hold room that the events of others need).
 */
export function holdingRoom<A extends unknown[], R>(
  admission: Pick<Admission, 'tryEnter' | 'limit'>,
  work: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    const release = admission.tryEnter();
    if (release === undefined) throw busyRefusal(admission.limit);
    try {
      return await work(...args);
    } finally {
      release();
    }
  };
}
