/**
 * Per-event cost of the component runtime, reused vs fresh instances, on the main thread
 * (`threads = 0`) and on worker threads, with the behaviours guest (componentize-js /
 * StarlingMonkey): wall time, CPU time per event (the process's, all threads: GC and the
 * workers included) and the CPU a fresh instance adds to a reused one. `node bench/runtime/run.ts`
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

async function load(instances: InstanceMode, threads: number): Promise<{ component: Component; ms: number }> {
  const start = performance.now();
  const component = await loadComponent(
    {
      id: `bench-${instances}-${threads}`,
      source: wasm,
      variables: {},
      environment: {},
      files: [],
      allowedOutboundHosts: [],
      instances,
      threads,
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

/** CPU time of the whole process (every thread), in ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** `n` sequential events: their wall-time summary and the CPU ms per event. */
async function measured(component: Component, n: number): Promise<{ times: number[]; cpu: number }> {
  const start = cpuMs();
  const times = await run(component, n);
  return { times, cpu: (cpuMs() - start) / n };
}

const rssMb = () => (process.memoryUsage().rss / 2 ** 20).toFixed(0);

function summary(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return `median ${at(0.5).toFixed(3)} ms  p95 ${at(0.95).toFixed(3)} ms  mean ${mean.toFixed(3)} ms  (${times.length} events, ${(1000 / mean).toFixed(0)} events/s)`;
}

/** `n` events with `concurrency` in flight; returns events/s. */
async function throughput(component: Component, n: number, concurrency: number): Promise<number> {
  let left = n;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await component.handle(event);
    }),
  );
  return n / ((performance.now() - start) / 1000);
}

const first = await load('reuse', 0);
console.log(`load: ${first.ms.toFixed(0)} ms (jco transpile, main thread only)`);
await first.component.close();

for (const threads of [0, 1, 2]) {
  const where = threads === 0 ? 'main thread' : `${threads} worker${threads > 1 ? 's' : ''}`;
  const reuse = await load('reuse', threads);
  const fresh = await load('fresh', threads);
  console.log(`\n${where}: load from cache ${reuse.ms.toFixed(0)} ms`);
  await run(reuse.component, 200); // warm up the JIT
  const reused = await measured(reuse.component, 5000);
  console.log(`  reuse  sequential  ${summary(reused.times)}  CPU ${reused.cpu.toFixed(3)} ms/event`);
  await throughput(reuse.component, 1000, 32);
  console.log(`  reuse  32 in flight: ${(await throughput(reuse.component, 10_000, 32)).toFixed(0)} events/s`);
  const rssBefore = rssMb();
  await run(fresh.component, 50);
  const fresher = await measured(fresh.component, 1000);
  console.log(`  fresh  sequential  ${summary(fresher.times)}  CPU ${fresher.cpu.toFixed(3)} ms/event`);
  console.log(`  fresh  CPU per fresh instance (fresh - reuse): ${(fresher.cpu - reused.cpu).toFixed(3)} ms`);
  console.log(`  fresh  32 in flight: ${(await throughput(fresh.component, 3000, 32)).toFixed(0)} events/s`);
  console.log(`  memory: rss ${rssBefore} MB before the fresh events, ${rssMb()} MB after`);
  await reuse.component.close();
  await fresh.component.close();
}
