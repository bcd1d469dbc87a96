/**
 * The Spin HTTP, WASI HTTP and timer worlds run on their component's worker threads, as
 * `spindle:event` handlers do: a guest that loops is stopped at `timeout_ms` and one that
 * grows past `memory_limit_mb` fails naming it, and the app goes on serving; and a guest
 * of theirs may call the app itself (service chaining), which the main thread could not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineApp, type RunningApp, startApp } from '../../src/index.ts';
import { capturingLogger } from '../support/capturing-logger.ts';
import { buildHttpGuest } from '../support/http-fixtures.ts';
import { loopingTimerGuest } from '../support/looping-timer.ts';
import { waitFor } from '../support/wait.ts';

describe('Spin HTTP, WASI HTTP and timer guests on worker threads', () => {
  let app: RunningApp;
  const { logger, records } = capturingLogger();
  const get = async (path: string, test?: string) => {
    const response = await fetch(new URL(path, app.url), test === undefined ? {} : { headers: { 'x-test': test } });
    return { status: response.status, text: await response.text() };
  };
  const errorsOf = (component: string) => records.filter((r) => r.level >= 50 && r.component === component);

  beforeAll(async () => {
    const [spin, wasi, looper] = await Promise.all([
      buildHttpGuest('spin-echo'),
      buildHttpGuest('wasi-echo'),
      loopingTimerGuest(),
    ]);
    app = await startApp(
      defineApp({
        name: 'spin-worlds-on-workers',
        components: {
          spin: { source: spin, timeoutMs: 2000, threads: 1 },
          // Far enough that a fresh WASI HTTP instance is made in time on a loaded machine.
          wasi: { source: wasi, timeoutMs: 2000, threads: 1 },
          greedy: { source: spin, memoryLimitMb: 64, timeoutMs: 30_000, threads: 1 },
          looper: { source: looper, timeoutMs: 300, threads: 1 },
          front: { source: wasi, threads: 1, allowedOutboundHosts: ['http://*.spin.internal'] },
          backend: { source: spin, threads: 1 },
        },
        triggers: [
          { type: 'http', component: 'spin', route: '/spin' },
          { type: 'http', component: 'wasi', route: '/wasi' },
          { type: 'http', component: 'greedy', route: '/greedy' },
          { type: 'timer', component: 'looper', interval_secs: 0.1 },
          { type: 'http', component: 'front', route: '/front' },
          { type: 'http', component: 'backend', route: { private: true } },
        ],
      }),
      { listen: { host: '127.0.0.1', port: 0 }, logger },
    );
  }, 300_000);
  afterAll(() => app?.stop());

  it.each([
    ['Spin HTTP', 'spin'],
    ['WASI HTTP', 'wasi'],
  ])('%s: a guest that loops is stopped at timeout_ms with a 500, and the next request is served', async (_, id) => {
    const looped = await get(`/${id}`, 'loop');
    expect(looped.status).toBe(500);
    await waitFor(
      () =>
        errorsOf(id).some((r) => r.msg === `component ${id} trapped: exceeded its deadline of 2000 ms (timeout_ms)`),
      { what: 'the deadline logged' },
    );
    const next = await get(`/${id}`);
    expect(next.status, JSON.stringify(errorsOf(id))).toBe(200);
    expect(JSON.parse(next.text)).toMatchObject({ method: expect.stringMatching(/get/i) });
  });

  it('Spin HTTP: a guest that grows past memory_limit_mb fails naming the limit, and the next request is served', async () => {
    const grown = await get('/greedy', 'grow');
    expect(grown.status).toBe(500);
    await waitFor(
      () => errorsOf('greedy').some((r) => r.msg.includes('exceeded its memory limit of 64 MB (memory_limit_mb)')),
      { what: 'the memory limit logged' },
    );
    expect((await get('/greedy')).status).toBe(200);
  });

  it('timer: a tick that loops is stopped at timeout_ms, logged naming the component, and the ticks go on', async () => {
    const stopped = () =>
      records.filter(
        (r) =>
          r.component === 'looper' &&
          r.msg ===
            'handle-timer-request failed: component looper trapped: exceeded its deadline of 300 ms (timeout_ms)',
      ).length;
    // Every second tick of a worker's instance loops: a second stop means ticks ran after the first.
    await waitFor(() => stopped() >= 2, { what: 'two looping ticks stopped', timeoutMs: 20_000 });
  });

  it('WASI HTTP: a guest chains to a private Spin HTTP component (http://backend.spin.internal)', async () => {
    const response = await fetch(new URL('/front', app.url), {
      headers: { 'x-test': 'chain', 'x-chain': 'http://backend.spin.internal/hello?x=1' },
    });
    expect(response.status, JSON.stringify(records.filter((r) => r.component === 'front'))).toBe(200);
    expect(response.headers.get('x-guest')).toBe('wasi-echo');
    const seen = JSON.parse(await response.text()) as { uri: string; headers: Record<string, string> };
    expect(seen).toMatchObject({ uri: '/hello?x=1' });
    expect(seen.headers['spin-full-url']).toBe('http://backend.spin.internal/hello?x=1');
  });
});
