/**
 * The last line of defence of `spindle up`: an error nobody handled must not take down
 * every trigger of the app because one connection misbehaved. Every HTTP trigger already
 * handles its clients' errors (serveSafely); this catches what slips through.
 */
import type { Logger } from 'pino';

/** Errors that concern one connection only: the client went away, or was too slow. */
const CONNECTION_ERRORS = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_HTTP_REQUEST_TIMEOUT',
  'HPE_INVALID_EOF_STATE',
]);

export function isConnectionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code !== undefined && CONNECTION_ERRORS.has(code)) || (error as Error | undefined)?.message === 'aborted';
}

/**
 * - A promise rejected with no handler is logged and the process keeps serving: the
 *   rejection unwound only its own async chain, and the event it carried is still owned
 *   by its broker (unacknowledged) or its HTTP client (no answer, it retries).
 * - An uncaught exception from a connection (reset, aborted, timed out) is logged and the
 *   process keeps serving: only that socket's state was involved.
 * - Any other uncaught exception is fatal: it unwound synchronous code at an unknown
 *   point, so counters, pools and acknowledgement bookkeeping may be half-updated, and
 *   serving on could lose or duplicate events silently. spindle logs it and exits 1; a
 *   supervisor restarts it and the brokers redeliver what was not acknowledged.
 */
export function guardProcess(logger: Logger, exit: (code: number) => void = process.exit): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'an error nobody awaited (spindle keeps serving): please report it');
  });
  process.on('uncaughtException', (error) => {
    if (isConnectionError(error)) {
      logger.error({ err: error }, 'an error from one connection reached the top (spindle keeps serving)');
      return;
    }
    logger.fatal({ err: error }, 'uncaught exception: spindle stops, its state is no longer known to be sound');
    logger.flush();
    exit(1);
  });
}
