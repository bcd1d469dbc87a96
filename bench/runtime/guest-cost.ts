/**
 * CPU time of one `handle` call of the example transform (examples/transform) on the main
 * thread (`threads = 0`, reused instance): the guest's engine inside wasm plus jco's
 * glue, without HTTP or a worker hop. Builds the example several ways with
 * componentize-js and measures them in alternating rounds, so that a loaded machine
 * weighs on each alike. CPU time, not wall time: preemption by other work does not count.
 * Usage: node bench/runtime/guest-cost.ts [--events 5000] [--rounds 11]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { componentize } from '@bytecodealliance/componentize-js';
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
const builds: { name: string; guard: boolean; disable: Feature[] }[] = [
  { name: 'as spindle componentize builds it', guard: true, disable: [] },
  { name: "without spindle's handler guard", guard: false, disable: [] },
  { name: '--disable http fetch-event', guard: true, disable: ['http', 'fetch-event'] },
  { name: '--disable http fetch-event random', guard: true, disable: ['http', 'fetch-event', 'random'] },
];

await openHostRoot();
const components: Component[] = [];
for (const [index, build] of builds.entries()) {
  const entry = await guestEntry(source, build.guard);
  const started = performance.now();
  try {
    const { component } = await componentize({
      sourcePath: entry.path,
      witPath: wit,
      worldName: 'spindle:event/transformer',
      disableFeatures: build.disable,
      env: { XDG_CACHE_HOME: join(dir, 'cache') },
    });
    const file = join(dir, `transform-${index}.wasm`);
    writeFileSync(file, component);
    console.log(
      `built ${build.name}: ${component.length} bytes, ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    components.push(await load(file));
  } finally {
    await entry.remove();
  }
}

function load(file: string): Promise<Component> {
  return loadComponent(
    {
      id: 'transform',
      source: file,
      variables: { suffix: '.transformed' },
      environment: {},
      files: [],
      allowedOutboundHosts: [],
      instances: 'reuse',
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

const events = Number(values.events);
const perEvent: number[][] = builds.map(() => []);
// A first round that does not count: V8 tiers the guest's engine up to optimized code over
// the first thousands of calls.
for (let round = -1; round < Number(values.rounds); round++) {
  for (const [index, component] of components.entries()) {
    for (let i = 0; i < 300; i++) await component.handle(event); // caches, after the other build's round
    const start = process.cpuUsage();
    for (let i = 0; i < events; i++) await component.handle(event);
    const used = process.cpuUsage(start);
    if (round >= 0) perEvent[index]?.push((used.user + used.system) / events);
  }
}
console.log(`\nCPU per event, median of ${values.rounds} rounds of ${events} (each round's figure after it):`);
for (const [index, build] of builds.entries()) {
  const rounds = perEvent[index] ?? [];
  console.log(
    `${build.name.padEnd(36)} ${median(rounds).toFixed(1).padStart(6)} µs   ${rounds.map((x) => x.toFixed(0)).join(' ')}`,
  );
}
await Promise.all(components.map((component) => component.close()));
