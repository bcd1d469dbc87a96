import { SinkError, type SpindleError } from '../errors.ts';
import type { RetryPolicy } from '../trigger.ts';

/** A backoff: the first delay, grown at each further try by the policy (exponential by default), capped. */
export type Backoff = Pick<RetryPolicy, 'backoffMs' | 'maxDelayMs' | 'backoffPolicy'>;

/** The longest delay a timer can wait (2^31 - 1 ms, about 24 days): a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Delay before retry number `retry` (1-based), capped at maxDelayMs. Knative's policies:
 * exponential is `backoffDelay * 2^n` and linear `backoffDelay * n`, with n counted so
 * that the first retry waits backoffMs in both (Knative's HTTP dispatcher counts n from
 * 0 for exponential). Every wait between tries in spindle (events, reconnects, read
 * loops) is one of these.
 */
export function backoffDelay(backoff: Backoff, retry: number): number {
  const n = Math.max(1, retry);
  const grown = backoff.backoffPolicy === 'linear' ? backoff.backoffMs * n : backoff.backoffMs * 2 ** (n - 1);
  return Math.min(backoff.maxDelayMs, grown, MAX_TIMER_MS);
}

/**
 * Delay before retry number `retry` after `error`: the backoff, or longer when a sink
 * answered 429 or 503 with `Retry-After` (Knative's delivery spec: the larger of the two,
 * the request capped by `retryAfterMaxMs`; 0 ignores it, unset honours it whole).
 */
export function retryDelay(policy: RetryPolicy, retry: number, error: SpindleError, now = Date.now()): number {
  const backoff = backoffDelay(policy, retry);
  const response = error instanceof SinkError ? error.response : undefined;
  if (response?.retryAfter === undefined || (response.status !== 429 && response.status !== 503)) return backoff;
  if (policy.retryAfterMaxMs === 0) return backoff;
  const asked = retryAfterMs(response.retryAfter, now);
  if (asked === undefined) return backoff;
  return Math.min(Math.max(backoff, Math.min(asked, policy.retryAfterMaxMs ?? Number.POSITIVE_INFINITY)), MAX_TIMER_MS);
}

/**
 * RFC 9110 section 10.2.3: `Retry-After` is delay-seconds (a whole number) or an
 * HTTP-date. The wait in milliseconds (0 for a date already past), or undefined when the
 * value is neither.
 */
export function retryAfterMs(value: string, now = Date.now()): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or false at once when `signal` aborts (shutdown cuts waits short). */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, backoffMs: 200, maxDelayMs: 10_000 };

export function retryPolicy(...layers: (Partial<RetryPolicy> | undefined)[]): RetryPolicy {
  const merged = { ...DEFAULT_RETRY };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer ?? {})) {
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
    }
  }
  return merged;
}
