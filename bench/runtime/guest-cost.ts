/**
 * CPU time of one `handle` call of the example transform (examples/transform) on the main
 * thread (`threads = 0`, reused instance): the guest's engine inside wasm plus jco's
 * glue, without HTTP or a worker hop. Builds the example several ways (with componentize-js
 * and, `--engine quickjs`, with componentize-qjs) and measures them in alternating rounds,
 * so that a loaded machine weighs on each alike. Then the CPU a fresh instance adds
 * (`instances = "fresh"`, less the reused figure) for the two engines as `spindle
 * componentize` builds them, alternating too. CPU time, not wall time: preemption by other
 * work does not count.
 * Usage: node bench/runtime/guest-cost.ts [--events 5000] [--rounds 11]
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { componentize } from '@bytecodealliance/componentize-js';
import type { InstanceMode } from '../../src/app/model.ts';
import { componentize as spindleComponentize } from '../../src/build/componentize.ts';
import { guestEntry } from '../../src/build/guest-entry.ts';
import { openHostRoot } from '../../src/build/shim-preopens.ts';
import type { CloudEvent } from '../../src/event.ts';
import { silentLogger } from '../../src/log.ts';
import type { Component } from '../../src/runtime/component.ts';
import { loadComponent } from '../../src/runtime/load.ts';
import { median } from '../http-target/measure.ts';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '11' } },
});
const source = fileURLToPath(new URL('../../examples/transform/transform.ts', import.meta.url));
const wit = fileURLToPath(new URL('../../wit', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'spindle-guest-cost-'));

type Feature = 'stdio' | 'random' | 'clocks' | 'http' | 'fetch-event';
interface Build {
  name: string;
  guard: boolean;
  disable: Feature[];
  quickjs?: boolean;
  /** Also measured with fresh instances. */
  fresh?: boolean;
}
const builds: Build[] = [
  { name: 'as spindle componentize builds it', guard: true, disable: [], fresh: true },
  { name: "without spindle's handler guard", guard: false, disable: [] },
  { name: '--disable http fetch-event', guard: true, disable: ['http', 'fetch-event'] },
  { name: '--disable http fetch-event random', guard: true, disable: ['http', 'fetch-event', 'random'] },
  { name: '--engine quickjs', guard: true, disable: [], quickjs: true, fresh: true },
];

await openHostRoot();
const components: Component[] = [];
const freshComponents = new Map<number, Component>();
for (const [index, build] of builds.entries()) {
  const file = join(dir, `transform-${index}.wasm`);
  const started = performance.now();
  if (build.quickjs) await spindleComponentize({ source, out: file, engine: 'quickjs' });
  else await buildWithComponentizeJs(build, file);
  console.log(
    `built ${build.name}: ${statSync(file).size} bytes, ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  components.push(await load(file, 'reuse'));
  if (build.fresh) freshComponents.set(index, await load(file, 'fresh'));
}

async function buildWithComponentizeJs(build: Build, file: string): Promise<void> {
  const entry = await guestEntry(source, build.guard);
  try {
    const { component } = await componentize({
      sourcePath: entry.path,
      witPath: wit,
      worldName: 'spindle:event/transformer',
      disableFeatures: build.disable,
      env: { XDG_CACHE_HOME: join(dir, 'cache') },
    });
    writeFileSync(file, component);
  } finally {
    await entry.remove();
  }
}

function load(file: string, instances: InstanceMode): Promise<Component> {
  return loadComponent(
    {
      id: 'transform',
      source: file,
      variables: { suffix: '.transformed' },
      environment: {},
      files: [],
      allowedOutboundHosts: [],
      instances,
      threads: 0,
    },
    {
      cacheDir: join(dir, 'jco'),
      logger: silentLogger(),
      variables: (name) => (name === 'suffix' ? '.transformed' : undefined),
    },
  );
}

const event: CloudEvent = {
  id: 'bench-1',
  source: '/bench',
  type: 'io.triggermesh.bench',
  specversion: '1.0',
  datacontenttype: 'application/json',
  extensions: {},
  data: new TextEncoder().encode('{"name":"spindle","count":1}'),
};

/** CPU µs per event of `events` sequential events, after `warm` uncounted ones. */
async function cpuPerEvent(component: Component, events: number, warm: number): Promise<number> {
  for (let i = 0; i < warm; i++) await component.handle(event); // caches, after the other build's round
  const start = process.cpuUsage();
  for (let i = 0; i < events; i++) await component.handle(event);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / events;
}

const events = Number(values.events);
const rounds = Number(values.rounds);
const perEvent: number[][] = builds.map(() => []);
// A first round that does not count: V8 tiers the guest's engine up to optimized code over
// the first thousands of calls.
for (let round = -1; round < rounds; round++) {
  for (const [index, component] of components.entries()) {
    const cpu = await cpuPerEvent(component, events, 300);
    if (round >= 0) perEvent[index]?.push(cpu);
  }
}
console.log(`\nCPU per event, median of ${rounds} rounds of ${events} (each round's figure after it):`);
for (const [index, build] of builds.entries()) {
  const figures = perEvent[index] ?? [];
  console.log(
    `${build.name.padEnd(36)} ${median(figures).toFixed(1).padStart(6)} µs   ${figures.map((x) => x.toFixed(0)).join(' ')}`,
  );
}

// A fresh instance per event costs ~10x a reused one's event: a fifth as many events.
const freshEvents = Math.max(1, Math.round(events / 5));
const perFresh = new Map<number, number[]>();
for (let round = -1; round < rounds; round++) {
  for (const [index, component] of freshComponents) {
    const reused = components[index] as Component;
    const fresh = await cpuPerEvent(component, freshEvents, 50);
    const base = await cpuPerEvent(reused, freshEvents, 50);
    if (round >= 0) perFresh.set(index, [...(perFresh.get(index) ?? []), fresh - base]);
  }
}
console.log(`\nCPU a fresh instance adds (fresh less reused), median of ${rounds} rounds of ${freshEvents}:`);
for (const [index, figures] of perFresh) {
  const name = builds[index]?.name ?? '';
  console.log(
    `${name.padEnd(36)} ${(median(figures) / 1000).toFixed(2).padStart(6)} ms   ${figures.map((x) => (x / 1000).toFixed(2)).join(' ')}`,
  );
}
await Promise.all([...components, ...freshComponents.values()].map((component) => component.close()));
