/**
 * `[application.limits]`: what one client or one burst may take of a spindle process.
 * Every refusal names the limit's manifest key and its value, so that an operator who
 * reads the error knows what to raise.
 */
import { SpindleError } from '../errors.ts';
import type { TriggerTable } from './table.ts';

export interface Limits {
  /** Time for a client to send the request headers (`header_timeout_ms`): 408 after. */
  headerTimeoutMs: number;
  /** Time for a client to send the whole request, body included (`request_timeout_ms`): 408 after. */
  requestTimeoutMs: number;
  /** Connections served at once (`max_connections`): the next ones are answered 503. */
  maxConnections: number;
  /**
   * Events being processed at once, over every trigger (`max_events_in_flight`): HTTP
   * answers 503 with Retry-After, broker triggers wait before they fetch more.
   */
  maxEventsInFlight: number;
  /** Request body size in bytes on every HTTP trigger (`max_body_bytes`): 413 above. */
  maxBodyBytes: number;
  /** Events in one CloudEvents batch (`max_batch_events`): 413 above. */
  maxBatchEvents: number;
  /** Nesting of arrays and objects in a JSON event (`max_json_depth`): 400 above. */
  maxJsonDepth: number;
  /** Header fields in one request (`max_headers`): 431 above. */
  maxHeaders: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  headerTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  maxConnections: 1_024,
  maxEventsInFlight: 1_024,
  // A CloudEvent is a message, not a file transfer.
  maxBodyBytes: 16 * 1024 * 1024,
  maxBatchEvents: 1_000,
  maxJsonDepth: 64,
  maxHeaders: 100,
};

/** Manifest key of each limit, for errors that tell the operator what to raise. */
export const LIMIT_KEYS: Readonly<Record<keyof Limits, string>> = {
  headerTimeoutMs: 'header_timeout_ms',
  requestTimeoutMs: 'request_timeout_ms',
  maxConnections: 'max_connections',
  maxEventsInFlight: 'max_events_in_flight',
  maxBodyBytes: 'max_body_bytes',
  maxBatchEvents: 'max_batch_events',
  maxJsonDepth: 'max_json_depth',
  maxHeaders: 'max_headers',
};

/** `max_body_bytes = 16777216`: how an error names a limit. */
export function limitText<K extends keyof Limits>(limits: Pick<Limits, K>, name: K): string {
  return `${LIMIT_KEYS[name]} = ${limits[name]}`;
}

/** The limits a `[application.limits]` table sets; the rest stay at their defaults. */
export function parseLimits(table: TriggerTable | undefined): Partial<Limits> {
  if (table === undefined) return {};
  const out: Partial<Limits> = {};
  for (const [name, key] of Object.entries(LIMIT_KEYS) as [keyof Limits, string][]) {
    const value = table.optionalNumber(key, { min: 1, integer: true });
    if (value !== undefined) out[name] = value;
  }
  table.done();
  return out;
}

/** The limits in force: the defaults, then the manifest's, then the embedding program's. */
export function withDefaults(...layers: (Partial<Limits> | undefined)[]): Limits {
  return Object.assign({}, DEFAULT_LIMITS, ...layers);
}

/** `--limit name=value` flags (manifest keys): the limits they set, or an error saying which flag is wrong. */
export function parseLimitFlags(flags: readonly string[]): Partial<Limits> {
  const byKey = new Map(Object.entries(LIMIT_KEYS).map(([name, key]) => [key, name as keyof Limits]));
  const out: Partial<Limits> = {};
  for (const flag of flags) {
    const [key = '', text = ''] = flag.split('=', 2);
    const name = byKey.get(key);
    const value = Number(text);
    if (name === undefined) {
      throw new SpindleError(
        `--limit ${flag}: unknown limit '${key}' (expected one of ${[...byKey.keys()].join(', ')})`,
      );
    }
    if (!/^\d+$/.test(text) || value < 1)
      throw new SpindleError(`--limit ${flag}: expected ${key}=<a whole number above 0>`);
    out[name] = value;
  }
  return out;
}
