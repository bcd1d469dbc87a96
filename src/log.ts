import { type Logger, pino } from 'pino';

export type { Logger };
export type LogFormat = 'pretty' | 'json';

/** spindle's logger: JSON lines for machines, or pino-pretty for people at a terminal. */
export function createLogger(options: { format?: LogFormat; level?: string } = {}): Logger {
  const level = options.level ?? process.env.SPINDLE_LOG ?? 'info';
  if (options.format === 'json') return pino({ level, base: undefined });
  return pino({
    level,
    base: undefined,
    transport: { target: 'pino-pretty', options: { colorize: process.stderr.isTTY, destination: 2 } },
  });
}

/** A logger that discards everything, for embedding and tests that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
