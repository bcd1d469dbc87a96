/**
 * Guests that misbehave among good events (Redis Streams trigger): one that traps, one
 * that loops past timeout_ms, one that grows past memory_limit_mb, one that floods its
 * output past max_output_kb. Each bad event is dead-lettered with a reason naming what
 * stopped it, the good ones around it are delivered, and spindle keeps serving. A Spin
 * HTTP guest that loops past timeout_ms among good requests (HTTP trigger). Then
 * spindle's RSS ceiling with the greedy guest at threads = 1 and 2 (CloudEvents target,
 * one greedy event per worker at once).
 */
import { beforeAll, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/event.ts';
import { event } from '../integration/conformance/suite.ts';
import { describeWithBroker } from '../support/brokers.ts';
import { cleanupAfterEach } from '../support/cleanups.ts';
import { buildFixture } from '../support/fixtures.ts';
import { buildHttpGuest } from '../support/http-fixtures.ts';
import { postEvent } from '../support/post-event.ts';
import { HAS_PROC, residentMb } from '../support/process-memory.ts';
import { buildWatFixture } from '../support/wat-fixtures.ts';
import { faultApp } from './support/fault-app.ts';
import { faultTable } from './support/fault-table.ts';
import { ReplyTally, startTarget } from './support/http-target.ts';
import { redisSource } from './support/sources.ts';

const table = faultTable('guests that misbehave');
const cleanups = cleanupAfterEach();
let behaviours: string;
let greedy: string;
let flood: string;
let spinEcho: string;

beforeAll(async () => {
  [behaviours, greedy, flood, spinEcho] = await Promise.all([
    buildFixture('behaviours'),
    buildWatFixture('greedy'),
    buildFixture('flood'),
    buildHttpGuest('spin-echo'),
  ]);
}, 180_000);

/** 200 events, the 50th and the 150th of type `bad` (few: a guest stopped mid-event takes a new worker). */
function mixed(name: string, bad: string): CloudEvent[] {
  return Array.from({ length: 200 }, (_, i) =>
    i % 100 === 50 ? event(`${name}-bad-${i}`, bad) : event(`${name}-${i}`),
  );
}

interface GuestCase {
  name: string;
  wasm: () => string;
  component: Record<string, unknown>;
  bad: string;
  /** What the dead letters' reason must say. */
  reason: string | RegExp;
}

const cases: GuestCase[] = [
  {
    name: 'traps',
    wasm: () => behaviours,
    component: {},
    bad: 'test.trap',
    reason: /component guest trapped on event traps-bad-\d+: wasm trap/,
  },
  {
    name: 'loops past timeout_ms',
    wasm: () => behaviours,
    component: { timeout_ms: 500 },
    bad: 'test.loop',
    reason: 'exceeded its deadline of 500 ms (timeout_ms)',
  },
  {
    name: 'grows past memory_limit_mb',
    wasm: () => greedy,
    component: { memory_limit_mb: 32, threads: 1 },
    bad: 'greedy',
    reason: 'exceeded its memory limit of 32 MB (memory_limit_mb)',
  },
];

describeWithBroker('redis', 'a guest that misbehaves among good events', () => {
  it.each(cases)(
    '$name: the bad events dead-lettered naming why, the rest delivered',
    async (guest) => {
      const source = await redisSource();
      const retry = { attempts: 2, backoff_ms: 20, max_delay_ms: 100 };
      const app = await faultApp(
        { source, wasm: guest.wasm(), component: guest.component, trigger: { retry } },
        cleanups,
      );
      await app.start();
      const sent = mixed(guest.name.split(' ')[0] ?? 'guest', guest.bad);
      await source.publish(sent);
      await app.settle(sent.length);
      const row = table.record(`guest ${guest.name}`, await app.tally(sent));
      expect(row.deadLettered).toBe(sent.filter((e) => e.type === guest.bad).length);
      for (const letter of app.dead.events) {
        expect(letter.type).toBe(guest.bad);
        expect(letter.extensions).toMatchObject({ deadletterkind: 'trap', deadletterattempts: '2' });
        expect(letter.extensions.deadletterreason).toMatch(guest.reason);
      }
    },
    120_000,
  );

  it('floods its output past max_output_kb: every event delivered, the output cut with a line saying so', async () => {
    const source = await redisSource();
    const app = await faultApp({ source, wasm: flood, component: { max_output_kb: 4 } }, cleanups);
    await app.start();
    // 64 lines of 1 KiB per event.
    const sent = Array.from({ length: 200 }, (_, i) => event(`flood-${i}`, 'flood', { subject: '64' }));
    await source.publish(sent);
    await app.settle(sent.length);
    const output = app.spindle.output();
    const cut = output.match(/over its limit of 4 KiB for one event \(max_output_kb\)/g) ?? [];
    const row = table.record('guest floods past max_output_kb', {
      ...(await app.tally(sent)),
      note: `output cut for ${cut.length} events`,
    });
    expect(row.delivered).toBe(sent.length);
    expect(cut.length).toBeGreaterThan(0);
  }, 120_000);
});

it('Spin HTTP guest loops past timeout_ms: each looping request answered 500, the deadline logged, the others served', async () => {
  const spindle = await startTarget(spinEcho, { http: true, component: { timeout_ms: 1000, threads: 1 } }, cleanups);
  const replies = new ReplyTally();
  for (let i = 0; i < 100; i++) {
    const id = `spin-${i}`;
    const loops = i % 50 === 25;
    const reply = await fetch(new URL(`/${id}`, spindle.url), { headers: loops ? { 'x-test': 'loop' } : {} });
    const text = await reply.text();
    if (reply.ok && (JSON.parse(text) as { uri?: unknown }).uri === `/${id}`) replies.deliver(id);
    else replies.refuse(id, `${reply.status} ${text}`);
  }
  const stopped = spindle
    .output()
    .split('\n')
    .filter((line) => line.includes('"msg":"component guest trapped: exceeded its deadline of 1000 ms (timeout_ms)"'));
  const row = table.record('Spin HTTP guest loops past timeout_ms (HTTP)', replies.tally());
  expect(row.kept).toBe(2);
  for (const reason of replies.reasons.values()) expect(reason).toMatch(/^500 /);
  expect(stopped).toHaveLength(2);
  expect(spindle.child.exitCode).toBeNull();
}, 120_000);

it.runIf(HAS_PROC).each([1, 2])(
  'greedy guest at threads = %i: every greedy event refused naming memory_limit_mb; RSS ceiling printed',
  async (threads) => {
    const limitMb = 32;
    // A far deadline: the memory limit, not the deadline, must stop the guest on a loaded machine.
    const spindle = await startTarget(
      greedy,
      { component: { threads, memory_limit_mb: limitMb, timeout_ms: 300_000 } },
      cleanups,
    );
    const pid = spindle.child.pid as number;
    const startMb = residentMb(pid, 'VmRSS');
    const replies = new ReplyTally();
    const post = async (type: string, id: string) =>
      replies.count(id, await postEvent(spindle.url, { type, id, source: '/faults' }));
    for (let round = 0; round < 2; round++) {
      await Promise.all(Array.from({ length: threads }, (_, i) => post('greedy', `greedy-${threads}-${round}-${i}`)));
      for (let i = 0; i < 50; i++) await post('echo', `echo-${threads}-${round}-${i}`);
    }
    const peakMb = residentMb(pid, 'VmHWM');
    const note = `RSS ${startMb.toFixed(0)} MB serving, peak ${peakMb.toFixed(0)} MB (+${(peakMb - startMb).toFixed(0)}; threads x limit = ${threads * limitMb} MB)`;
    console.log(`greedy guest, threads = ${threads}, memory_limit_mb = ${limitMb}: ${note}`);
    expect(spindle.child.exitCode).toBeNull();
    const row = table.record(`greedy guest, threads = ${threads} (HTTP)`, replies.tally(note));
    expect(row.kept).toBe(2 * threads);
    for (const reason of replies.reasons.values()) {
      expect(reason).toContain(`500 `);
      expect(reason).toContain(`exceeded its memory limit of ${limitMb} MB (memory_limit_mb)`);
    }
  },
  120_000,
);
