import { attributes, type CloudEvent } from '../event.ts';
import type { EventFilter } from '../trigger.ts';

/**
 * Knative Trigger filter semantics: every listed attribute must be present and match
 * (exact value, prefix or suffix); an empty filter selects every event.
 */
export function selects(filter: EventFilter | undefined, event: CloudEvent): boolean {
  if (filter === undefined) return true;
  const attrs = attributes(event);
  const all = (rules: Record<string, string> | undefined, test: (value: string, rule: string) => boolean) =>
    Object.entries(rules ?? {}).every(([name, rule]) => attrs[name] !== undefined && test(attrs[name], rule));
  return (
    all(filter.exact, (value, rule) => value === rule) &&
    all(filter.prefix, (value, rule) => value.startsWith(rule)) &&
    all(filter.suffix, (value, rule) => value.endsWith(rule))
  );
}
