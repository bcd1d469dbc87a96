import { describe, expect, it } from 'vitest';
import { parseRouteConfig } from '../../src/app/route-config.ts';
import { TriggerTable } from '../../src/app/table.ts';

const table = (raw: Record<string, unknown>) => new TriggerTable('spindle.toml', 'trigger.kafka[0]', raw);
const error = (raw: Record<string, unknown>) => () => parseRouteConfig(table(raw));

describe('parseRouteConfig', () => {
  it('reads every shared field', () => {
    expect(
      parseRouteConfig(
        table({
          component: 'transform',
          sink: 'kafka://localhost:9092/out',
          dead_letter: 'http://127.0.0.1:8080/dlq',
          retry: { attempts: 5, backoff_ms: 200, max_delay_ms: 10_000 },
          filter: { exact: { type: 'order.created' }, prefix: { source: '/shop/' }, suffix: { subject: '.json' } },
        }),
      ),
    ).toEqual({
      table: 'trigger.kafka[0]',
      component: 'transform',
      sink: 'kafka://localhost:9092/out',
      deadLetter: 'http://127.0.0.1:8080/dlq',
      retry: { attempts: 5, backoffMs: 200, maxDelayMs: 10_000 },
      filter: { exact: { type: 'order.created' }, prefix: { source: '/shop/' }, suffix: { subject: '.json' } },
    });
  });

  it('needs only the component, and leaves other fields to the adapter', () => {
    const t = table({ component: 'c', topic: 'in' });
    expect(parseRouteConfig(t)).toEqual({ table: 'trigger.kafka[0]', component: 'c' });
    expect(() => t.done()).toThrow("spindle.toml: [trigger.kafka[0]] topic: unknown field 'topic'");
    expect(parseRouteConfig(table({ component: 'c', retry: { attempts: 1 }, filter: {} }))).toEqual({
      table: 'trigger.kafka[0]',
      component: 'c',
      retry: { attempts: 1 },
      filter: {},
    });
  });

  it('requires a component id', () => {
    expect(error({})).toThrow('spindle.toml: [trigger.kafka[0]] component: is required (a string)');
  });

  it('wants URIs with a scheme for sink and dead_letter', () => {
    expect(error({ component: 'c', sink: '127.0.0.1:8080' })).toThrow(
      'spindle.toml: [trigger.kafka[0]] sink: expected a URI with a scheme, such as http://host:port/ or kafka://host:9092/topic, got "127.0.0.1:8080"',
    );
    expect(error({ component: 'c', sink: 'localhost:8080' })).toThrow(
      'spindle.toml: [trigger.kafka[0]] sink: "localhost:8080" is a host and port, not a URI: add the scheme, as in http://localhost:8080',
    );
    expect(error({ component: 'c', dead_letter: '/dlq' })).toThrow(
      'spindle.toml: [trigger.kafka[0]] dead_letter: expected a URI with a scheme, such as http://host:port/ or kafka://host:9092/topic, got "/dlq"',
    );
    expect(error({ component: 'c', sink: 8080 })).toThrow(
      'spindle.toml: [trigger.kafka[0]] sink: expected a string, got number 8080',
    );
  });

  it('wants whole numbers in retry, at least one attempt', () => {
    expect(error({ component: 'c', retry: { attempts: 0 } })).toThrow(
      'spindle.toml: [trigger.kafka[0].retry] attempts: must be at least 1, got 0',
    );
    expect(error({ component: 'c', retry: { backoff_ms: 1.5 } })).toThrow(
      'spindle.toml: [trigger.kafka[0].retry] backoff_ms: expected a whole number, got 1.5',
    );
    expect(error({ component: 'c', retry: { max_delay_ms: -1 } })).toThrow(
      'spindle.toml: [trigger.kafka[0].retry] max_delay_ms: must be at least 0, got -1',
    );
    expect(error({ component: 'c', retry: { attempts: '3' } })).toThrow(
      'spindle.toml: [trigger.kafka[0].retry] attempts: expected a number, got the string "3"',
    );
    expect(error({ component: 'c', retry: { tries: 3 } })).toThrow(
      "spindle.toml: [trigger.kafka[0].retry] tries: unknown field 'tries' (expected attempts, backoff_delay, backoff_ms, backoff_policy, max_delay_ms, timeout, retry_after_max)",
    );
    expect(error({ component: 'c', retry: 3 })).toThrow(
      'spindle.toml: [trigger.kafka[0]] retry: expected a table, got number 3',
    );
  });

  it("reads Knative's delivery spec: backoff_policy, and durations as ISO 8601 or milliseconds", () => {
    const retry = (raw: Record<string, unknown>) => parseRouteConfig(table({ component: 'c', retry: raw })).retry;
    expect(
      retry({
        attempts: 4,
        backoff_delay: 'PT0.5S',
        backoff_policy: 'linear',
        timeout: 'PT2M',
        retry_after_max: 'P1DT2H',
      }),
    ).toEqual({
      attempts: 4,
      backoffMs: 500,
      backoffPolicy: 'linear',
      timeoutMs: 120_000,
      retryAfterMaxMs: 93_600_000,
    });
    expect(retry({ backoff_delay: 250, timeout: 1000, retry_after_max: 'PT0S' })).toEqual({
      backoffMs: 250,
      timeoutMs: 1000,
      retryAfterMaxMs: 0,
    });
    expect(retry({ backoff_ms: 100, backoff_policy: 'exponential' })).toEqual({
      backoffMs: 100,
      backoffPolicy: 'exponential',
    });
  });

  it('names the field of a bad duration or policy', () => {
    const at = 'spindle.toml: [trigger.kafka[0].retry]';
    expect(error({ component: 'c', retry: { backoff_delay: '2s' } })).toThrow(
      `${at} backoff_delay: "2s" is not an ISO 8601 duration (such as "PT0.5S", "PT2M" or "P1DT2H")`,
    );
    expect(error({ component: 'c', retry: { timeout: 'P1M' } })).toThrow(
      `${at} timeout: "P1M" counts years or months, whose length varies: use weeks, days or less`,
    );
    expect(error({ component: 'c', retry: { retry_after_max: '-PT1S' } })).toThrow(
      `${at} retry_after_max: "-PT1S" is negative`,
    );
    expect(error({ component: 'c', retry: { timeout: 1.5 } })).toThrow(
      `${at} timeout: expected whole milliseconds (0 or more) or an ISO 8601 duration, got 1.5`,
    );
    expect(error({ component: 'c', retry: { timeout: 'PT0S' } })).toThrow(`${at} timeout: must be longer than 0`);
    expect(error({ component: 'c', retry: { backoff_delay: true } })).toThrow(
      `${at} backoff_delay: expected milliseconds or an ISO 8601 duration such as "PT0.5S", got boolean true`,
    );
    expect(error({ component: 'c', retry: { backoff_policy: 'fibonacci' } })).toThrow(
      `${at} backoff_policy: expected "exponential" or "linear", got "fibonacci"`,
    );
    expect(error({ component: 'c', retry: { backoff_ms: 1, backoff_delay: 'PT1S' } })).toThrow(
      `${at} backoff_delay: and backoff_ms say the same thing: keep one`,
    );
  });

  it('wants string maps of CloudEvent attributes in filter', () => {
    expect(error({ component: 'c', filter: { exact: { type: 1 } } })).toThrow(
      'spindle.toml: [trigger.kafka[0].filter.exact] type: expected a string, got number 1',
    );
    expect(error({ component: 'c', filter: { prefix: { Type: 'a' } } })).toThrow(
      'spindle.toml: [trigger.kafka[0].filter] prefix.Type: is not a CloudEvent attribute name (lowercase letters and digits)',
    );
    expect(error({ component: 'c', filter: { any: {} } })).toThrow(
      "spindle.toml: [trigger.kafka[0].filter] any: unknown field 'any' (expected exact, prefix, suffix)",
    );
  });
});
