import { attribute, type CloudEvent } from '../event.ts';
import type { SubscriptionsFilter } from '../trigger.ts';

/**
 * Knative's new trigger filters (the CloudEvents Subscriptions API dialects): the event
 * passes when every filter of the list matches. `exact`, `prefix` and `suffix` need each
 * listed attribute present, so a missing one does not match (and `not` of it does).
 */
export function matchesAll(filters: readonly SubscriptionsFilter[], event: CloudEvent): boolean {
  return filters.every((filter) => matches(filter, event));
}

export function matches(filter: SubscriptionsFilter, event: CloudEvent): boolean {
  if ('exact' in filter) return everyAttribute(filter.exact, event, (value, rule) => value === rule);
  if ('prefix' in filter) return everyAttribute(filter.prefix, event, (value, rule) => value.startsWith(rule));
  if ('suffix' in filter) return everyAttribute(filter.suffix, event, (value, rule) => value.endsWith(rule));
  if ('all' in filter) return filter.all.every((f) => matches(f, event));
  if ('any' in filter) return filter.any.some((f) => matches(f, event));
  if ('not' in filter) return !matches(filter.not, event);
  return filter.cesql.test(event);
}

function everyAttribute(
  rules: Readonly<Record<string, string>>,
  event: CloudEvent,
  test: (value: string, rule: string) => boolean,
): boolean {
  for (const name in rules) {
    const value = attribute(event, name);
    if (value === undefined || !test(value, rules[name] as string)) return false;
  }
  return true;
}
