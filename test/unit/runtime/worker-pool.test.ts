import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { type Reply, WorkerFailure, WorkerPool } from '../../../src/runtime/worker-pool.ts';
import { waitFor } from '../../support/wait.ts';

const FAKE_WORKER = new URL('./fake-event-worker.ts', import.meta.url);

interface FakeReply extends Reply {
  threadId: number;
}

const pools: WorkerPool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});

async function startPool(size: number, options: { timeoutMs?: number; workerData?: object } = {}) {
  const pool = new WorkerPool({
    size,
    timeoutMs: options.timeoutMs ?? 60_000,
    spawn: (shared) => new Worker(FAKE_WORKER, { workerData: { ...shared, ...options.workerData } }),
  });
  pools.push(pool);
  await pool.start();
  const run = (op: string) =>
    pool.run((worker, id, cell) => worker.postMessage({ id, cell, op })) as Promise<FakeReply>;
  return { pool, run };
}

describe('WorkerPool', () => {
  it('serves a burst of calls, each once, in order on one worker', async () => {
    const { run } = await startPool(1);
    const replies = await Promise.all(Array.from({ length: 50 }, () => run('echo')));
    const ids = replies.map((reply) => reply.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(50);
  });

  it('stops a call that runs past its deadline and serves the next on a new worker', async () => {
    const { run } = await startPool(1, { timeoutMs: 200 });
    const first = await run('echo');
    const error = await run('loop').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerFailure);
    expect(error).toMatchObject({ kind: 'deadline', message: 'exceeded its deadline of 200 ms (timeout_ms)' });
    const next = await run('echo');
    expect(next.threadId).not.toBe(first.threadId);
  });

  it('gives each item of a call its own deadline, and names the item it stops', async () => {
    const { run } = await startPool(1, { timeoutMs: 300 });
    // Three items of 150 ms: 450 ms in all, each well within 300 ms.
    await expect(run('items:150,150,150')).resolves.toMatchObject({ kind: 'reply' });
    const error = await run('items:10,loop,10').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'deadline', item: 1 });
  });

  it('re-runs the calls queued behind a stopped call: none is lost', async () => {
    const { run } = await startPool(1, { timeoutMs: 200 });
    const loop = run('loop');
    const queued = Array.from({ length: 5 }, () => run('echo'));
    await expect(loop).rejects.toMatchObject({ kind: 'deadline' });
    const replies = await Promise.all(queued);
    expect(replies.map((reply) => reply.kind)).toEqual(['reply', 'reply', 'reply', 'reply', 'reply']);
  });

  it('moves a call waiting behind a looping one to a worker that falls idle', async () => {
    const { run } = await startPool(2, { timeoutMs: 60_000 });
    const loop = run('loop').catch((e: unknown) => e);
    // More calls than the free worker takes at once: some wait behind the loop at first.
    const replies = await Promise.all(Array.from({ length: 6 }, () => run('echo')));
    expect(new Set(replies.map((reply) => reply.threadId)).size).toBe(1);
    expect(await Promise.race([loop, 'still looping'])).toBe('still looping');
  });

  it('fails only the running call when its worker exits, and replaces the worker', async () => {
    const { run } = await startPool(1);
    const exit = run('exit');
    const behind = run('echo');
    await expect(exit).rejects.toMatchObject({ kind: 'died', message: 'its worker thread died: exit code 3', item: 0 });
    await expect(behind).resolves.toMatchObject({ kind: 'reply' });
  });

  it('stops a worker that abandons, failing its running item with the reason; the call behind runs on a new worker', async () => {
    const { run } = await startPool(1);
    const first = await run('echo');
    const abandoned = run('abandon');
    const behind = run('echo');
    await expect(abandoned).rejects.toMatchObject({ kind: 'abandoned', message: 'its memory is spent', item: 0 });
    expect((await behind).threadId).not.toBe(first.threadId);
  });

  it('names the error that killed a worker', async () => {
    const { run } = await startPool(1);
    await expect(run('throw')).rejects.toMatchObject({ kind: 'died', message: 'its worker thread died: host bug' });
    await expect(run('echo')).resolves.toMatchObject({ kind: 'reply' });
  });

  it('runs calls on all its workers at once', async () => {
    // Each `block` call waits until the test sees both running: one worker alone never could.
    const shared = new SharedArrayBuffer(8);
    const { run } = await startPool(2, { workerData: { shared } });
    const calls = [run('block'), run('block')];
    const gate = new Int32Array(shared);
    await waitFor(() => Atomics.load(gate, 0) === 2, { what: 'both calls running' });
    Atomics.store(gate, 1, 1);
    Atomics.notify(gate, 1);
    const replies = await Promise.all(calls);
    expect(new Set(replies.map((reply) => reply.threadId)).size).toBe(2);
  });

  it('rejects start when a worker cannot start', async () => {
    const pool = new WorkerPool({
      size: 2,
      timeoutMs: 1000,
      spawn: (shared) => new Worker(FAKE_WORKER, { workerData: { ...shared, failAtStart: true } }),
    });
    await expect(pool.start()).rejects.toMatchObject({
      kind: 'startup',
      message: 'its worker thread failed to start: cannot load the glue',
    });
  });

  it('rejects calls once closed', async () => {
    const { pool, run } = await startPool(1);
    const pending = run('loop').catch((e: unknown) => e);
    await pool.close();
    expect(await pending).toMatchObject({ kind: 'closed' });
    await expect(run('echo')).rejects.toMatchObject({ kind: 'closed' });
  });
});
