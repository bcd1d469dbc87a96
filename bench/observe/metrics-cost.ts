/**
 * What spindle's metrics cost one event, in-process: the calls delivery makes per event
 * (received and its outcome, one timed component call, one timed sink send) on stubs that
 * do nothing, against the same awaits without metrics. Prints microseconds per event.
 *
 * Usage: node bench/observe/metrics-cost.ts [events per round, default 200000]
 */
import { Metrics } from '../../src/observe/metrics.ts';
import type { Component } from '../../src/runtime/component.ts';
import type { EventSink, Outcome, Route } from '../../src/trigger.ts';

const N = Number(process.argv[2] ?? 200_000);
const ROUNDS = 5;

const route: Route = {
  componentId: 'c',
  table: 'trigger.kafka[0]',
  retry: { attempts: 1, backoffMs: 1, maxDelayMs: 1 },
};
const outcome: Outcome = { kind: 'emitted', events: [] };
const stubSink: EventSink = { uri: 'http://127.0.0.1/', send: async () => {}, close: async () => {} };
const stubComponent = {
  id: 'c',
  worlds: new Set(),
  instances: 'reuse',
  handle: async () => [],
  call: async () => undefined,
  close: async () => {},
} as unknown as Component;

const metrics = new Metrics();
const sink = metrics.sink(stubSink);
const component = metrics.component(stubComponent);
const event = {} as Parameters<Component['handle']>[0];

async function round(metered: boolean): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    if (metered) {
      const done = metrics.received(route);
      await component.handle(event);
      await sink.send([]);
      done(outcome);
    } else {
      await stubComponent.handle(event);
      await stubSink.send([]);
    }
  }
  return ((performance.now() - start) * 1000) / N;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const on: number[] = [];
const off: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  off.push(await round(false));
  on.push(await round(true));
}
console.log(`without metrics: ${median(off).toFixed(2)} µs per event (median of ${ROUNDS} rounds of ${N})`);
console.log(`with metrics:    ${median(on).toFixed(2)} µs per event`);
console.log(`cost:            ${(median(on) - median(off)).toFixed(2)} µs per event`);
