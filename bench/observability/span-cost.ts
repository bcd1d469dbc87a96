/**
 * bench/observability/span-cost: what tracing adds to one event's dispatch, in process,
 * without HTTP or a guest (whose noise would hide it): a component that echoes the event
 * and a sink that accepts it, through the core's dispatch with no tracing at all, with
 * tracing off (what `spindle up` runs without OTEL_* variables: no span, the
 * incoming trace context copied onto the emitted event), and with the SDK recording
 * every span (batched, exported to nowhere).
 * Usage: node bench/observability/span-cost.ts [--events 100000] [--rounds 5] [--only off,no]
 */

import { parseArgs } from 'node:util';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Dispatcher } from '../../src/delivery/dispatcher.ts';
import type { CloudEvent } from '../../src/event.ts';
import { silentLogger } from '../../src/log.ts';
import { tracedDispatch } from '../../src/observe/traced-dispatch.ts';
import { startTracing, Tracing } from '../../src/observe/tracing.ts';
import type { Component } from '../../src/runtime/component.ts';
import type { EventSink, Route } from '../../src/trigger.ts';
import { median } from '../http-target/measure.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '5' },
    only: { type: 'string' },
  },
});
const count = Number(values.events);

const echo = {
  id: 'echo',
  worlds: new Set(['event'] as const),
  instances: 'reuse' as const,
  limits: { timeoutMs: 30_000, maxOutputBytes: 65_536 },
  handle: async (e: CloudEvent) => [{ ...e, type: 'out' }],
  call: async () => undefined as never,
  close: async () => {},
} satisfies Component;
const accept: EventSink = { uri: 'kafka://127.0.0.1:9092/out', send: async () => {}, close: async () => {} };
const event = (i: number): CloudEvent => ({
  id: `e${i}`,
  source: '/bench',
  type: 'in',
  specversion: '1.0',
  extensions: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
});

type Dispatch = (route: Route, event: CloudEvent) => Promise<unknown>;
function variant(tracing: Tracing | undefined): { route: Route; dispatch: Dispatch } {
  const dispatcher = new Dispatcher({
    component: () => echo,
    logger: silentLogger(),
    signal: new AbortController().signal,
    ...(tracing ? { tracing } : {}),
  });
  const sink = tracing ? tracing.sink(accept) : accept;
  const route: Route = { componentId: 'echo', sink, retry: { attempts: 1, backoffMs: 1, maxDelayMs: 1 } };
  const traced = tracing ? tracedDispatch(tracing, 'kafka', dispatcher) : dispatcher;
  return { route, dispatch: (r, e) => traced.dispatch(r, e) };
}

const nowhere = { export: (_: unknown, done: (r: { code: 0 }) => void) => done({ code: 0 }), shutdown: async () => {} };
const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: nowhere })] });
const recording = new Tracing(
  {
    tracer: provider.getTracer('bench'),
    propagator: new W3CTraceContextPropagator(),
    shutdown: () => provider.shutdown(),
  },
  (t) => t,
);
const variants = {
  'no tracing code': variant(undefined),
  'tracing off': variant(await startTracing({})),
  'tracing on (SDK, 3 spans)': variant(recording),
};

const times = new Map<string, number[]>(Object.keys(variants).map((name) => [name, []]));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [name, { route, dispatch }] of Object.entries(variants)) {
    if (values.only !== undefined && !values.only.split(',').some((part) => name.includes(part))) continue;
    // CPU time, not wall time: on a shared machine the process waits for a core more than it runs.
    const start = process.cpuUsage();
    for (let i = 0; i < count; i++) await dispatch(route, event(i));
    const used = process.cpuUsage(start);
    times.get(name)?.push(((used.user + used.system) * 1e3) / count);
  }
}
await provider.shutdown();

const base = median(times.get('no tracing code') ?? []);
console.log(`${count} events per round, ${values.rounds} rounds alternating; median CPU ns per dispatched event:`);
for (const [name, ns] of times) {
  if (ns.length === 0) continue;
  console.log(`${name.padEnd(28)} ${median(ns).toFixed(0).padStart(7)} ns  (+${(median(ns) - base).toFixed(0)} ns)`);
}
