/**
 * Per-event cost of the component runtime, reused vs fresh instances, with the
 * behaviours guest (componentize-js / StarlingMonkey). `node bench/runtime/run.ts`
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InstanceMode } from '../../src/app/model.ts';
import type { CloudEvent } from '../../src/event.ts';
import { silentLogger } from '../../src/log.ts';
import type { Component } from '../../src/runtime/component.ts';
import { loadComponent } from '../../src/runtime/load.ts';
import { buildFixture } from '../../test/support/fixtures.ts';

const wasm = await buildFixture('behaviours');
const cacheDir = mkdtempSync(join(tmpdir(), 'spindle-bench-'));

async function load(instances: InstanceMode): Promise<{ component: Component; ms: number }> {
  const start = performance.now();
  const component = await loadComponent(
    {
      id: `bench-${instances}`,
      source: wasm,
      variables: {},
      environment: {},
      files: [],
      allowedOutboundHosts: [],
      instances,
    },
    { cacheDir, logger: silentLogger(), variables: () => undefined },
  );
  return { component, ms: performance.now() - start };
}

const event: CloudEvent = {
  id: 'bench',
  source: '/bench',
  type: 'test.echo',
  specversion: '1.0',
  datacontenttype: 'application/json',
  extensions: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  data: new TextEncoder().encode(JSON.stringify({ hello: 'world', n: 42 })),
};

/** Sequential events; returns per-event times in ms. */
async function run(component: Component, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await component.handle(event);
    times.push(performance.now() - start);
  }
  return times;
}

function summary(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return `median ${at(0.5).toFixed(3)} ms  p95 ${at(0.95).toFixed(3)} ms  mean ${mean.toFixed(3)} ms  (${times.length} events, ${(1000 / mean).toFixed(0)} events/s)`;
}

const cold = await load('reuse');
const warm = await load('fresh');
console.log(`load: ${cold.ms.toFixed(0)} ms (jco transpile), ${warm.ms.toFixed(0)} ms (from cache)`);

await run(cold.component, 200); // warm up the JIT
console.log(`reuse  ${summary(await run(cold.component, 5000))}`);
await run(warm.component, 20);
console.log(`fresh  ${summary(await run(warm.component, 300))}`);

const burst = await load('reuse');
const start = performance.now();
await Promise.all(Array.from({ length: 1000 }, () => burst.component.handle(event)));
console.log(`reuse, 1000 concurrent events: ${(performance.now() - start).toFixed(0)} ms (incl. first instantiation)`);
console.log(`memory: rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
for (const c of [cold, warm, burst]) await c.component.close();
