import type { RetryPolicy } from '../trigger.ts';

/** An exponential backoff: the first delay, doubled at each further try, capped. */
export type Backoff = Pick<RetryPolicy, 'backoffMs' | 'maxDelayMs'>;

/**
 * Delay before retry number `retry` (1-based): exponential, capped at maxDelayMs. Every
 * wait between tries in spindle (events, reconnects, read loops) is one of these.
 */
export function backoffDelay(backoff: Backoff, retry: number): number {
  return Math.min(backoff.maxDelayMs, backoff.backoffMs * 2 ** Math.max(0, retry - 1));
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
      if (value !== undefined) merged[key as keyof RetryPolicy] = value;
    }
  }
  return merged;
}
