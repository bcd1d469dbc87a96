import { type Bindings, type ChildLoggerOptions, type Logger, pino, stdSerializers, stdTimeFunctions } from 'pino';
import pretty from 'pino-pretty';
import type { Redactor } from './redact.ts';

export type { Logger };
export type LogFormat = 'pretty' | 'json';

/** The levels a logger may be set to, most severe first (`silent` logs nothing). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * spindle's logger: JSON lines for machines (one object per line on stdout, the level a
 * string and the time ISO 8601, as log shippers read them without a mapping:
 * `"level":"info","time":"2026-01-31T12:00:00.000Z"`), or pino-pretty for people at a terminal.
 */
export function createLogger(options: { format?: LogFormat; level?: string } = {}): Logger {
  const level = options.level ?? process.env.SPINDLE_LOG ?? 'info';
  // An error's cause as an object of its own: pino's default appends the cause's message
  // to the error's, which spindle's messages already end with (`cannot listen on ...: <cause>`).
  const serializers = { err: stdSerializers.errWithCause };
  if (options.format === 'json') {
    return pino({
      level,
      base: undefined,
      serializers,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    });
  }
  // A stream on this thread, not pino's transport: that runs pino-pretty on a worker
  // thread of its own, ~40 MB of RSS for lines a person reads at a terminal.
  return pino(
    { level, base: undefined, serializers },
    pretty({ colorize: process.stderr.isTTY, destination: 2, sync: true }),
  );
}

/** A logger that discards everything, for embedding and tests that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Node's own warnings (a deprecation, an experimental feature) as warn lines of `logger`
 * instead of Node's plain text on stderr, so that every line of a JSON log is JSON.
 */
export function logProcessWarnings(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => logger.warn({ err: warning }, warning.message));
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);

/**
 * `logger` with every argument of every line redacted (URI passwords, secret variables),
 * its children too: the core hands this one to the runtime and to every adapter, so that
 * no line written through it shows a secret, whoever wrote it.
 */
export function redactingLogger(logger: Logger, redactor: Redactor): Logger {
  return new Proxy(logger, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property === 'child') {
        return (bindings: Bindings, options?: ChildLoggerOptions) =>
          redactingLogger(target.child(redactor.value(bindings) as Bindings, options), redactor);
      }
      if (typeof property === 'string' && LEVELS.has(property)) {
        return (...args: unknown[]) => {
          if (target.isLevelEnabled(property))
            value.apply(
              target,
              args.map((arg) => redactor.value(arg)),
            );
        };
      }
      return value.bind(target);
    },
  });
}
