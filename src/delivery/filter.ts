import type { CloudEvent } from '../event.ts';
import type { EventFilter, Route } from '../trigger.ts';
import { matches, matchesAll } from './subscriptions-filter.ts';

/** Whether `route` takes `event`: its `filter` and every entry of its `filters` match. */
export function admits(route: Pick<Route, 'filter' | 'filters'>, event: CloudEvent): boolean {
  return selects(route.filter, event) && (route.filters === undefined || matchesAll(route.filters, event));
}

/**
 * Knative Trigger `filter` semantics: every listed attribute must be present and match
 * (exact value, prefix or suffix); an empty filter selects every event. The same rules as
 * the `exact`, `prefix` and `suffix` entries of `filters`.
 */
export function selects(filter: EventFilter | undefined, event: CloudEvent): boolean {
  if (filter === undefined) return true;
  return (
    (filter.exact === undefined || matches({ exact: filter.exact }, event)) &&
    (filter.prefix === undefined || matches({ prefix: filter.prefix }, event)) &&
    (filter.suffix === undefined || matches({ suffix: filter.suffix }, event))
  );
}
