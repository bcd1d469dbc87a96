import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry } from '../../adapters/redis/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { describeWithBroker, redisUrl, uniqueName } from '../support/brokers.ts';
import { buildFixture } from '../support/fixtures.ts';
import { postEvent } from '../support/post-event.ts';
import { HAS_PROC, residentMb } from '../support/process-memory.ts';
import { type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';
import { buildWatFixture } from '../support/wat-fixtures.ts';

let greedy: string;
let flood: string;
const running: SpindleProcess[] = [];

beforeAll(async () => {
  [greedy, flood] = await Promise.all([buildWatFixture('greedy'), buildFixture('flood')]);
}, 180_000);
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop('SIGKILL');
});

/** `spindle up` with a trigger (cloudevents unless told) on one component. */
async function serve(wasm: string, fields: string, trigger = '[[trigger.cloudevents]]'): Promise<SpindleProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-e2e-limits-'));
  writeFileSync(
    join(dir, 'spindle.toml'),
    `[application]\nname = "limits"\n${trigger}\ncomponent = "guest"\n[component.guest]\nsource = "${wasm}"\n${fields}\n`,
  );
  const spindle = await startSpindle(['-f', dir, '--log-format', 'json']);
  running.push(spindle);
  return spindle;
}

const post = (url: URL, type: string, id: string, subject?: string) =>
  postEvent(url, { type, id, source: '/e2e', ...(subject === undefined ? {} : { subject }) });

/**
 * What spindle may hold beyond its workers' capped memories: their replacements starting
 * while the stopped ones are torn down, V8's heap growth, allocator slack. Without the
 * cap each greedy event grows to wasm32's 4 GiB (16.6 GB of RSS was measured for two).
 */
const ALLOWANCE_MB = 192;

describe('a guest that allocates without bound (spindle up, CloudEvents target)', () => {
  it.runIf(HAS_PROC)(
    'traps at memory_limit_mb with a 500 naming it, keeps serving, and RSS stays within threads x limit + a base',
    async () => {
      const threads = 2;
      const limitMb = 32;
      // A far deadline: the memory limit, not the deadline, must stop the guest, however loaded the machine.
      const spindle = await serve(greedy, `threads = ${threads}\nmemory_limit_mb = ${limitMb}\ntimeout_ms = 300000`);
      const pid = spindle.child.pid as number;
      const baseMb = residentMb(pid, 'VmRSS');
      // One greedy event per worker at once, twice: the second round grows new instances to
      // the cap, the first round's memory already returned.
      for (let round = 0; round < 2; round++) {
        const replies = await Promise.all([0, 1].map((i) => post(spindle.url, 'greedy', `g${round}-${i}`)));
        for (const reply of replies) {
          expect(reply.status).toBe(500);
          expect(await reply.text()).toContain(`exceeded its memory limit of ${limitMb} MB (memory_limit_mb)`);
        }
      }
      const next = await post(spindle.url, 'echo', 'after');
      expect(next.status).toBe(200);
      expect(next.headers.get('ce-id')).toBe('after');
      const peakMb = residentMb(pid, 'VmHWM');
      console.log(
        `greedy guest, threads = ${threads}, limit ${limitMb} MB: RSS ${baseMb.toFixed(0)} MB at start, peak ${peakMb.toFixed(0)} MB`,
      );
      expect(peakMb - baseMb).toBeLessThan(threads * limitMb + ALLOWANCE_MB);
      expect(spindle.child.exitCode).toBeNull();
    },
    120_000,
  );

  it('refuses to start when the limit is below the memory the guest starts with', async () => {
    // The greedy guest starts with one 64 KiB page: any limit fits, so ask a JS guest (MBs at start).
    await expect(serve(flood, 'memory_limit_mb = 1')).rejects.toThrow(
      /component guest .*its linear memory starts at \d+ MB, more than the limit of 1 MB \(raise memory_limit_mb\)/,
    );
  });
});

describeWithBroker('redis', 'a guest that allocates without bound (spindle up, Redis Streams)', () => {
  it('is retried, then dead-lettered with a reason naming its memory limit; the next event is delivered', async () => {
    const redis = new Redis(redisUrl());
    const source = uniqueName('spindle-limits-in');
    const sink = uniqueName('spindle-limits-out');
    const deadLetter = uniqueName('spindle-limits-dlq');
    try {
      await serve(
        greedy,
        'threads = 1\nmemory_limit_mb = 16',
        `[[trigger.redis]]\naddress = "${redisUrl()}"\nstream = "${source}"\ngroup = "${uniqueName('group')}"\n` +
          `sink = "${redisUrl()}?stream=${sink}"\ndead_letter = "${redisUrl()}?stream=${deadLetter}"\n` +
          'retry = { attempts = 2, backoff_ms = 20, max_delay_ms = 100 }',
      );
      const event = (type: string, id: string): CloudEvent => ({
        id,
        source: '/e2e',
        type,
        specversion: '1.0',
        extensions: {},
      });
      await redis.xadd(source, '*', ...encodeEntry(event('greedy', 'hoard')));
      await redis.xadd(source, '*', ...encodeEntry(event('echo', 'after')));
      const read = async (stream: string) =>
        ((await redis.xrange(stream, '-', '+')) as [string, string[]][]).flatMap(([id, fields]) => {
          const decoded = decodeEntry(stream, id, fields);
          return decoded.ok ? [decoded.event] : [];
        });
      await waitFor(async () => (await read(deadLetter)).length > 0 && (await read(sink)).length > 0, {
        what: 'the greedy event dead-lettered and the next one delivered',
        timeoutMs: 60_000,
      });
      const [letter] = await read(deadLetter);
      expect(letter?.id).toBe('hoard');
      expect(letter?.extensions).toMatchObject({ deadletterkind: 'trap', deadletterattempts: '2' });
      expect(letter?.extensions.deadletterreason).toContain('exceeded its memory limit of 16 MB (memory_limit_mb)');
      expect((await read(sink)).map((e) => e.id)).toEqual(['after']);
    } finally {
      await redis.del(source, sink, deadLetter);
      redis.disconnect();
    }
  }, 120_000);
});

/** The JSON log records of a spindle process. */
function records(spindle: SpindleProcess): Record<string, unknown>[] {
  return spindle
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('a guest that prints without bound (spindle up)', () => {
  it('keeps max_output_kb of its output per event, drops the rest with one line saying how much, and the event succeeds', async () => {
    const spindle = await serve(flood, 'max_output_kb = 4');
    // 1000 lines of 1 KiB on stdout, then "printed 1000 lines" on stderr.
    const reply = await post(spindle.url, 'flood', 'loud', '1000');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('ce-id')).toBe('loud');
    const second = await post(spindle.url, 'flood', 'quiet', '1');
    expect(second.status).toBe(200);

    // The log is written apart from the reply: wait for the second event's last line.
    const guestRecords = () => records(spindle).filter((r) => r.component === 'guest');
    await waitFor(() => guestRecords().some((r) => r.stream === 'stderr' && r.msg === 'printed 1 lines'), {
      what: "the second event's output in the log",
    });
    const guest = guestRecords();
    const lines = guest.filter((r) => r.stream !== undefined);
    const dropped = guest.filter((r) => r.droppedBytes !== undefined);
    // 4 KiB: four whole 1 KiB lines of the first event; the second event starts afresh.
    expect(lines.map((r) => [r.stream, String(r.msg).length])).toEqual([
      ['stdout', 1023],
      ['stdout', 1023],
      ['stdout', 1023],
      ['stdout', 1023],
      ['stdout', 1023],
      ['stderr', 'printed 1 lines'.length],
    ]);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]?.droppedBytes).toBe(1000 * 1024 + 'printed 1000 lines\n'.length - 4096);
    expect(dropped[0]?.msg).toBe(
      `guest output over its limit of 4 KiB for one event (max_output_kb): dropped ${dropped[0]?.droppedBytes} bytes`,
    );
  });
});
