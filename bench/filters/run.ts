/**
 * The cost of trigger filters per event: a CESQL expression parsed once and evaluated per
 * event, the same test written as a plain JavaScript predicate, and an `exact` + `prefix`
 * filters list; and the cost of parsing the expression, which spindle pays once at load.
 *
 *   node bench/filters/run.ts [--events 200000]
 */

import { parseArgs } from 'node:util';
import { CesqlFilter } from '../../src/delivery/cesql/index.ts';
import { matchesAll } from '../../src/delivery/subscriptions-filter.ts';
import type { CloudEvent } from '../../src/event.ts';
import type { SubscriptionsFilter } from '../../src/trigger.ts';

const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' } } });
const events = Number(values.events);

const EXPRESSION =
  "source LIKE '%commerce%' AND type IN ('order.created', 'order.updated', 'order.canceled') AND INT(priority) > 2";
const sample: CloudEvent[] = Array.from({ length: 64 }, (_, i) => ({
  id: `e${i}`,
  source: i % 2 === 0 ? '/ecommerce/eu' : '/billing/eu',
  type: ['order.created', 'order.updated', 'order.shipped', 'order.canceled'][i % 4] as string,
  specversion: '1.0',
  extensions: { priority: String(i % 5) },
}));

const cesql = new CesqlFilter(EXPRESSION);
const plain = (e: CloudEvent) =>
  e.source.includes('commerce') &&
  ['order.created', 'order.updated', 'order.canceled'].includes(e.type) &&
  Number(e.extensions.priority) > 2;
const dialects: SubscriptionsFilter[] = [{ prefix: { source: '/ecommerce/' } }, { exact: { type: 'order.created' } }];

function measure(name: string, test: (e: CloudEvent) => boolean): void {
  let passed = 0;
  for (let i = 0; i < 10_000; i++) if (test(sample[i % sample.length] as CloudEvent)) passed++; // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < events; i++) if (test(sample[i % sample.length] as CloudEvent)) passed++;
  const ns = Number(process.hrtime.bigint() - start) / events;
  console.log(
    `${name.padEnd(34)} ${ns.toFixed(0).padStart(6)} ns/event  ${(1e9 / ns).toExponential(2)} events/s  (${passed} passed)`,
  );
}

console.log(`${events} events, expression: ${EXPRESSION}`);
measure('CESQL, parsed once', (e) => cesql.test(e));
measure('plain JavaScript predicate', plain);
measure('filters: prefix + exact', (e) => matchesAll(dialects, e));
measure('CESQL parsed per event (not done)', (e) => new CesqlFilter(EXPRESSION).test(e));
