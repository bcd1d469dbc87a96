/**
 * A Wagi module runs on a thread of its own: one that never returns is stopped at its
 * deadline while the app serves other requests, and what it prints to stderr is bounded
 * like any guest's output.
 */
import { parse } from '@bytecodealliance/jco';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineApp, type RunningApp, startApp } from '../../src/index.ts';

/** `_start` that never returns. */
const LOOPING = `(module (memory (export "memory") 1) (func (export "_start") (loop (br 0))))`;

/**
 * Writes "noise\\n" to stderr `count` times, then a CGI response to stdout: fd_write of
 * one iovec (base, length) stored at address 0.
 */
const chatty = (count: number) => `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "noise\\n")
  (data (i32.const 32) "content-type: text/plain\\n\\nok")
  (func (export "_start") (local $n i32)
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 6))
    (loop $again
      (drop (call $write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $n) (i32.const ${count}))))
    (i32.store (i32.const 0) (i32.const 32)) (i32.store (i32.const 4) (i32.const 28))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;

describe('Wagi modules are bounded', () => {
  const records: { msg: string; component?: string; stream?: string; droppedBytes?: number }[] = [];
  let running: RunningApp;

  beforeAll(async () => {
    const logger = pino(
      { level: 'info', base: undefined },
      { write: (line: string) => records.push(JSON.parse(line)) },
    );
    const wagi = { executor: { type: 'wagi' } };
    const app = defineApp({
      name: 'wagi-bounds',
      components: {
        looping: { source: await parse(LOOPING), timeoutMs: 1000 },
        chatty: { source: await parse(chatty(1000)), maxOutputKb: 1 },
      },
      triggers: [
        { type: 'http', route: '/looping', component: 'looping', ...wagi },
        { type: 'http', route: '/chatty', component: 'chatty', ...wagi },
      ],
    });
    running = await startApp(app, { listen: { host: '127.0.0.1', port: 0 }, logger });
  });
  afterAll(() => running?.stop());

  it('stops a module that never returns at its deadline, serving other requests meanwhile', async () => {
    const looping = fetch(new URL('/looping', running.url));
    // The listener is not held by the looping module: another route answers meanwhile.
    const other = await fetch(new URL('/chatty', running.url));
    expect(await other.text()).toBe('ok');
    const reply = await looping;
    expect(reply.status).toBe(500);
    // Spin's answer to a failed component; the reason goes to the log.
    expect(await reply.text()).toBe('Internal Server Error\n');
    expect(records.map((r) => r.msg)).toContain(
      'component looping did not finish within its timeout of 1000 ms (timeout_ms)',
    );
  });

  it("keeps stderr to the component's output limit, a log record a line, and says what it dropped", async () => {
    records.length = 0;
    expect(await (await fetch(new URL('/chatty', running.url))).text()).toBe('ok');
    const lines = records.filter((r) => r.component === 'chatty' && r.stream === 'stderr');
    // The 1 KiB kept: 170 whole lines and the start of the next.
    expect(lines.map((r) => r.msg)).toEqual([...Array<string>(170).fill('noise'), 'nois']);
    const dropped = records.find((r) => r.component === 'chatty' && r.droppedBytes !== undefined);
    expect(dropped?.droppedBytes).toBe(6000 - 1024);
    expect(dropped?.msg).toContain('over its limit of 1 KiB');
  });
});
