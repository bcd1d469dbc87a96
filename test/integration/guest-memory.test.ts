/**
 * memory_limit_mb through the embedding API (defineApp, startApp, invoke) with the
 * hand-written greedy guest: its linear memory, on a worker and on the main thread, and
 * the JavaScript heap of the worker's glue.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/event.ts';
import { defineApp, type RunningApp, startApp } from '../../src/index.ts';
import { buildWatFixture } from '../support/wat-fixtures.ts';

let wasm: string;
const apps: RunningApp[] = [];

beforeAll(async () => {
  wasm = await buildWatFixture('greedy');
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
});

async function start(threads: number, memoryLimitMb: number): Promise<RunningApp> {
  const app = await startApp(
    defineApp({ name: 'memory', components: { greedy: { source: wasm, threads, memoryLimitMb } }, triggers: [] }),
    { listen: { host: '127.0.0.1', port: 0 }, cacheDir: mkdtempSync(join(tmpdir(), 'spindle-memory-')) },
  );
  apps.push(app);
  return app;
}

const event = (type: string, id: string): CloudEvent => ({
  id,
  source: '/memory',
  type,
  specversion: '1.0',
  extensions: {},
});

describe('a guest that allocates without bound (startApp, invoke)', () => {
  it.each([1, 0])('traps at its memory limit with threads = %i, and the next event is served', async (threads) => {
    const app = await start(threads, 16);
    const error = await app.invoke('greedy', event('greedy', 'hoard')).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ComponentError', failure: 'trap', eventId: 'hoard', retriable: true });
    expect((error as Error).message).toMatch(
      /^component greedy trapped on event hoard: exceeded its memory limit of 16 MB \(memory_limit_mb\): it trapped holding 1[56] MB: .*unreachable/,
    );
    expect(await app.invoke('greedy', event('echo', 'after'))).toMatchObject([{ id: 'after' }]);
  });

  it("stops a worker whose glue's JavaScript heap fills up (resourceLimits), naming the limit", async () => {
    // 60 MiB of zeroed records fit the 64 MB linear memory; lifting them as 629,145 events
    // takes far more than the worker's 64 MB heap.
    const app = await start(1, 64);
    const error = await app.invoke('greedy', event('heap', 'lift')).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      "component greedy trapped on event lift: exceeded its memory limit of 64 MB (memory_limit_mb): its worker's JavaScript heap is full",
    );
    expect(await app.invoke('greedy', event('echo', 'after'))).toMatchObject([{ id: 'after' }]);
  }, 60_000);
});
