/**
 * The fields every trigger table shares: which component runs, where its output goes,
 * how failures are retried, and which events it selects. Adapters call this from
 * `parseConfig`, read their own fields, and the core calls `done()`.
 */

import { parseSinkUri } from '../delivery/sink-uri.ts';
import { redactUrl } from '../redact.ts';
import type { EventFilter, RetryPolicy, RouteConfig } from '../trigger.ts';
import { parseFilters } from './filters-config.ts';
import type { TriggerTable } from './table.ts';

/** CloudEvents 1.0, "Attribute Naming Convention": lower-case ASCII letters or digits. */
const ATTRIBUTE_NAME = /^[a-z0-9]+$/;

export function parseRouteConfig(table: TriggerTable): RouteConfig {
  const config: RouteConfig = { table: table.table, component: table.string('component') };
  const sink = optionalUri(table, 'sink');
  const deadLetter = optionalUri(table, 'dead_letter');
  const retry = parseRetry(table);
  const filter = parseFilter(table);
  const filters = table.attempt(() => parseFilters(table)); // a bad filter is reported, the rest still read
  if (sink !== undefined) config.sink = sink;
  if (deadLetter !== undefined) config.deadLetter = deadLetter;
  if (retry !== undefined) config.retry = retry;
  if (filter !== undefined) config.filter = filter;
  if (filters !== undefined) config.filters = filters;
  return config;
}

/** A sink URI: `http(s)://`, `kafka://`, `redis://`, `amqp(s)://`... (the scheme picks the adapter). */
function optionalUri(table: TriggerTable, field: string): string | undefined {
  const value = table.optionalString(field);
  if (value === undefined) return undefined;
  if (parseSinkUri(value) === undefined || !/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    return table.report(
      field,
      `expected a URI with a scheme, such as http://host:port/ or kafka://host:9092/topic, got ${JSON.stringify(redactUrl(value))}`,
    );
  }
  if (/^[^:/]+:\d+\/?$/.test(value)) {
    return table.report(field, `"${value}" is a host and port, not a URI: add the scheme, as in http://${value}`);
  }
  return value;
}

/**
 * `retry = { attempts = 5, backoff_delay = "PT0.2S", backoff_policy = "exponential",
 * max_delay_ms = 10000, timeout = "PT30S", retry_after_max = "PT2M" }`: Knative's
 * delivery spec in snake_case (`attempts` is its `retry`). Durations are ISO 8601 strings
 * or milliseconds; `backoff_ms` is `backoff_delay` in milliseconds.
 */
function parseRetry(table: TriggerTable): Partial<RetryPolicy> | undefined {
  const retry = table.optionalTable('retry');
  if (retry === undefined) return undefined;
  const policy: Partial<RetryPolicy> = {};
  const attempts = retry.optionalNumber('attempts', { min: 1, integer: true });
  const backoffMs = retry.optionalNumber('backoff_ms', { min: 0, integer: true });
  const backoffDelay = retry.optionalDuration('backoff_delay');
  if (backoffMs !== undefined && backoffDelay !== undefined) {
    retry.report('backoff_delay', 'and backoff_ms say the same thing: keep one');
  }
  const backoffPolicy = parseBackoffPolicy(retry);
  const maxDelayMs = retry.optionalNumber('max_delay_ms', { min: 0, integer: true });
  const timeoutMs = retry.optionalDuration('timeout');
  if (timeoutMs === 0) retry.report('timeout', 'must be longer than 0');
  const retryAfterMaxMs = retry.optionalDuration('retry_after_max');
  retry.done(RETRY_FIELDS);
  if (attempts !== undefined) policy.attempts = attempts;
  if ((backoffMs ?? backoffDelay) !== undefined) policy.backoffMs = backoffMs ?? backoffDelay;
  if (backoffPolicy !== undefined) policy.backoffPolicy = backoffPolicy;
  if (maxDelayMs !== undefined) policy.maxDelayMs = maxDelayMs;
  if (timeoutMs !== undefined) policy.timeoutMs = timeoutMs;
  if (retryAfterMaxMs !== undefined) policy.retryAfterMaxMs = retryAfterMaxMs;
  return policy;
}

function parseBackoffPolicy(retry: TriggerTable): RetryPolicy['backoffPolicy'] | undefined {
  const value = retry.optionalString('backoff_policy');
  if (value === undefined || value === 'exponential' || value === 'linear') return value;
  return retry.report('backoff_policy', `expected "exponential" or "linear", got ${JSON.stringify(value)}`);
}

const RETRY_FIELDS = [
  'attempts',
  'backoff_delay',
  'backoff_ms',
  'backoff_policy',
  'max_delay_ms',
  'timeout',
  'retry_after_max',
] as const;

/** `filter = { exact = { type = "..." }, prefix = {...}, suffix = {...} }`: Knative Trigger filters. */
function parseFilter(table: TriggerTable): EventFilter | undefined {
  const filter = table.optionalTable('filter');
  if (filter === undefined) return undefined;
  const out: EventFilter = {};
  for (const kind of ['exact', 'prefix', 'suffix'] as const) {
    const rules = filter.optionalStringMap(kind);
    if (rules === undefined) continue;
    for (const name of Object.keys(rules)) {
      if (!ATTRIBUTE_NAME.test(name)) {
        filter.report(`${kind}.${name}`, 'is not a CloudEvent attribute name (lowercase letters and digits)');
      }
    }
    out[kind] = rules;
  }
  filter.done(['exact', 'prefix', 'suffix']);
  return out;
}
