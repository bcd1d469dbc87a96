import { describe, expect, it } from 'vitest';
import { isoDurationMs } from '../../src/app/duration.ts';
import { backoffDelay, retryAfterMs, retryDelay } from '../../src/delivery/retry.ts';
import { SinkError, SpindleError } from '../../src/errors.ts';
import type { RetryPolicy } from '../../src/trigger.ts';

describe('ISO 8601 durations', () => {
  it('reads what Knative writes into milliseconds', () => {
    expect(isoDurationMs('PT0.5S')).toEqual({ ms: 500 });
    expect(isoDurationMs('PT2M')).toEqual({ ms: 120_000 });
    expect(isoDurationMs('P1DT2H')).toEqual({ ms: 93_600_000 });
    expect(isoDurationMs('P1W')).toEqual({ ms: 604_800_000 });
    expect(isoDurationMs('PT0S')).toEqual({ ms: 0 });
    expect(isoDurationMs('PT1.5M')).toEqual({ ms: 90_000 });
  });

  it('says why a text is not a usable duration', () => {
    for (const text of ['', 'P', 'PT', '5s', '500', 'PT5']) expect(isoDurationMs(text)).toHaveProperty('error');
    expect(isoDurationMs('P1Y')).toEqual({
      error: '"P1Y" counts years or months, whose length varies: use weeks, days or less',
    });
    expect(isoDurationMs('-PT1S')).toEqual({ error: '"-PT1S" is negative' });
  });
});

describe('backoff', () => {
  const base = { backoffMs: 100, maxDelayMs: 10_000 };

  it('exponential (the default) doubles from backoffMs at each retry', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(base, n))).toEqual([100, 200, 400, 800]);
    expect([1, 2, 3].map((n) => backoffDelay({ ...base, backoffPolicy: 'exponential' }, n))).toEqual([100, 200, 400]);
  });

  it('linear adds backoffMs at each retry', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay({ ...base, backoffPolicy: 'linear' }, n))).toEqual([
      100, 200, 300, 400,
    ]);
  });

  it('never exceeds maxDelayMs, nor what a timer can wait', () => {
    expect(backoffDelay({ ...base, maxDelayMs: 250 }, 5)).toBe(250);
    expect(backoffDelay({ backoffMs: 1000, maxDelayMs: Number.MAX_SAFE_INTEGER }, 60)).toBe(2 ** 31 - 1);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  const policy: RetryPolicy = { attempts: 5, backoffMs: 100, maxDelayMs: 1000 };
  const refusal = (status: number, retryAfter?: string) =>
    new SinkError('http://sink/', `answered ${status}`, {
      response: { status, body: new Uint8Array(), ...(retryAfter === undefined ? {} : { retryAfter }) },
    });

  it('reads delay-seconds and HTTP-dates', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Mon, 30 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Mon, 30 Nov 2026 11:00:00 GMT', now)).toBe(0);
    for (const bad of ['', '1.5', '-3', 'soon']) expect(retryAfterMs(bad, now)).toBeUndefined();
  });

  it('waits the larger of the backoff and the request, on 429 and 503 only', () => {
    expect(retryDelay(policy, 1, refusal(503, '3'), now)).toBe(3000);
    expect(retryDelay(policy, 1, refusal(429, 'Mon, 30 Nov 2026 12:00:02 GMT'), now)).toBe(2000);
    expect(retryDelay(policy, 1, refusal(500, '3'), now)).toBe(100);
    expect(retryDelay(policy, 1, refusal(503), now)).toBe(100);
    expect(retryDelay(policy, 1, refusal(503, 'later'), now)).toBe(100);
    expect(retryDelay(policy, 3, refusal(503, '0'), now)).toBe(400);
    expect(retryDelay(policy, 1, new SpindleError('other', { retriable: true }), now)).toBe(100);
  });

  it('is capped by retryAfterMaxMs, and ignored when it is 0', () => {
    expect(retryDelay({ ...policy, retryAfterMaxMs: 1500 }, 1, refusal(503, '60'), now)).toBe(1500);
    expect(retryDelay({ ...policy, retryAfterMaxMs: 0 }, 1, refusal(503, '60'), now)).toBe(100);
    // The cap bounds the request, not the backoff: the larger of the two still wins.
    expect(retryDelay({ ...policy, retryAfterMaxMs: 50 }, 2, refusal(503, '60'), now)).toBe(200);
  });
});
