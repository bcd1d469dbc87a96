/**
 * bench/runtime/guest-calls: the cost of one guest call (`Component.call`, the Spin HTTP
 * and WASI HTTP worlds), on the main thread (`threads = 0`) and on a worker thread, one
 * call at a time (no HTTP: the executors' calls, with the echo guests' requests).
 * Usage: node bench/runtime/guest-calls.ts [--calls 300]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { spinHttpCall } from '../../adapters/http/spin-http-call.ts';
import type { wasiHttpCall } from '../../adapters/http/wasi-http-call.ts';
import { guestCallRef } from '../../src/adapter.ts';
import { silentLogger } from '../../src/log.ts';
import type { Component } from '../../src/runtime/component.ts';
import { loadComponent } from '../../src/runtime/load.ts';
import { buildHttpGuest, type HttpGuest } from '../../test/support/http-fixtures.ts';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '300' } } });
const calls = Number(values.calls);
const cacheDir = mkdtempSync(join(tmpdir(), 'spindle-bench-calls-'));

const SPIN = guestCallRef<typeof spinHttpCall>(import.meta.url, '../../adapters/http/spin-http-call', 'spinHttpCall');
const WASI = guestCallRef<typeof wasiHttpCall>(import.meta.url, '../../adapters/http/wasi-http-call', 'wasiHttpCall');

/** The echo guests (the others build from Spin's templates), each with its world's call. */
const worlds: Record<Extract<HttpGuest, `${string}-echo`>, (component: Component) => Promise<unknown>> = {
  'spin-echo': (component) =>
    component.call(SPIN, { method: 'get', uri: '/bench', headers: [], params: [], body: undefined }),
  'wasi-echo': (component) =>
    component.call(WASI, {
      method: { tag: 'get' },
      pathWithQuery: '/bench',
      scheme: { tag: 'HTTP' },
      authority: 'localhost',
      headers: [],
      body: new Uint8Array(),
    }),
};

function median(times: number[]): number {
  return [...times].sort((a, b) => a - b)[times.length >> 1] ?? Number.NaN;
}

for (const guest of Object.keys(worlds) as (keyof typeof worlds)[]) {
  const source = await buildHttpGuest(guest);
  for (const threads of [0, 1]) {
    const component = await loadComponent(
      { id: guest, source, variables: {}, environment: {}, files: [], allowedOutboundHosts: [], threads },
      { cacheDir, logger: silentLogger(), variables: () => undefined },
    );
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      const start = performance.now();
      await worlds[guest](component);
      times.push(performance.now() - start);
    }
    console.log(`${guest}, threads = ${threads}: median ${median(times.slice(calls >> 3)).toFixed(2)} ms per call`);
    await component.close();
  }
}
