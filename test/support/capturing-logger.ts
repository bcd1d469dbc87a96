/** A pino logger whose records a test reads, parsed, as they are written. */
import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

/** One log record: pino's numeric level, the message, and whatever fields were logged. */
export interface LogRecord {
  level: number;
  msg: string;
  component?: string;
  [field: string]: unknown;
}

export function capturingLogger(level = 'info'): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      records.push(JSON.parse(String(chunk)) as LogRecord);
      done();
    },
  });
  return { logger: pino({ level }, stream), records };
}
