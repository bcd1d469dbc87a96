import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../src/event.ts';
import { cleanupAfterEach } from '../../support/cleanups.ts';
import { buildFixture } from '../../support/fixtures.ts';
import { type Answer, gaps, type ScriptedSink, scriptedSink } from '../../support/scripted-sink.ts';
import { startSpindle } from '../../support/spindle-process.ts';
import { waitFor } from '../../support/wait.ts';
import type { BrokerCase, BrokerHarness } from './harness.ts';

const bytes = (text: string) => new Uint8Array(Buffer.from(text));

export function event(id: string, type = 'test.echo', extra: Partial<CloudEvent> = {}): CloudEvent {
  return {
    id,
    source: '/conformance',
    type,
    specversion: '1.0',
    datacontenttype: 'application/json',
    subject: `subject ${id}`,
    time: '2026-11-21T10:00:00Z',
    extensions: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', seq: id },
    data: bytes(`{"n": "${id}", "bytes": "\\u00e9"}`),
    ...extra,
  };
}

/**
 * One adapter-conformance suite for every broker: deliver, filters, ack after success,
 * retry, dead-letter, Knative's delivery spec towards an HTTP sink, ordering, restart
 * without loss, scale-out.
 */
export function conformanceSuite(harness: BrokerHarness): void {
  describe(`${harness.name} conformance`, () => {
    let wasm: string;
    const cleanups = cleanupAfterEach();

    beforeAll(async () => {
      wasm = await buildFixture('behaviours');
    });

    async function setup(): Promise<BrokerCase> {
      const broker = await harness.create();
      cleanups.push(() => broker.close());
      return broker;
    }

    /** Write the app for `broker` and start `spindle up` on it; stopped after the test. */
    async function spindle(
      broker: BrokerCase,
      options: {
        deadLetter?: boolean;
        who?: string;
        filters?: unknown[];
        /** Instead of the broker's sink. */
        sink?: string;
        /** Instead of the suite's quick retries. */
        retry?: Record<string, unknown>;
      } = {},
    ) {
      const dir = mkdtempSync(join(tmpdir(), 'spindle-conformance-'));
      const manifest = {
        spin_manifest_version: 2,
        application: { name: 'conformance' },
        variables: { who: { default: 'a' } },
        trigger: {
          [broker.trigger.type]: [
            {
              ...broker.trigger.fields,
              component: 'behaviours',
              sink: options.sink ?? broker.sink,
              ...(options.deadLetter === false ? {} : { dead_letter: broker.deadLetter }),
              retry: options.retry ?? { attempts: 3, backoff_ms: 20, max_delay_ms: 100 },
              ...(options.filters === undefined ? {} : { filters: options.filters }),
            },
          ],
        },
        component: { behaviours: { source: wasm, variables: { who: '{{ who }}' } } },
      };
      writeFileSync(join(dir, 'spindle.toml'), stringify(manifest));
      const process = await startSpindle([
        '-f',
        dir,
        '--log-format',
        'json',
        '--variable',
        `who=${options.who ?? 'a'}`,
      ]);
      cleanups.push(() => process.stop('SIGKILL'));
      return process;
    }

    const ids = (events: CloudEvent[]) => events.map((e) => e.id);

    /** An HTTP sink of the test's own that answers every request as `answer` says. */
    async function httpSink(answer: Answer): Promise<ScriptedSink> {
      const sink = await scriptedSink(() => answer);
      cleanups.push(() => sink.close());
      return sink;
    }

    /** The one dead letter of `id`, once the broker holds no message of it any more. */
    async function deadLetterOf(broker: BrokerCase, id: string): Promise<CloudEvent | undefined> {
      await waitFor(async () => ids(await broker.deadLetters()).includes(id), {
        what: `the dead letter of ${id}`,
        timeoutMs: 30_000,
      });
      if (harness.durable) await waitFor(async () => !(await broker.kept(id)), { what: `${id} acknowledged` });
      const letters = await broker.deadLetters();
      expect(ids(letters)).toEqual([id]);
      return letters[0];
    }

    it('delivers events through the component with every attribute and data byte intact', async () => {
      const broker = await setup();
      await spindle(broker);
      const sent = Array.from({ length: 20 }, (_, i) => event(`deliver-${i}`));
      await broker.publish(sent);
      await waitFor(async () => (await broker.sinkEvents()).length >= sent.length, { what: 'all events at the sink' });
      const received = await broker.sinkEvents();
      expect(new Set(ids(received))).toEqual(new Set(ids(sent)));
      for (const original of sent) {
        const copy = received.find((e) => e.id === original.id);
        expect(copy?.data && Buffer.from(copy.data).toString()).toBe(Buffer.from(original.data ?? []).toString());
        expect({ ...copy, data: undefined }).toMatchObject({ ...original, data: undefined });
      }
    });

    it('processes only the events its Knative filters select, and acknowledges the others', async () => {
      const broker = await setup();
      await spindle(broker, {
        filters: [
          { cesql: "type = 'test.echo' AND seq LIKE 'pick-%'" },
          { not: { exact: { region: 'us' } } },
          { suffix: { source: '/conformance' } },
          { all: [{ prefix: { subject: 'subject pick-' } }, { suffix: { datacontenttype: '/json' } }] },
        ],
      });
      const picked = Array.from({ length: 5 }, (_, i) => event(`pick-${i}`));
      // Each fails one filter only, so that every dialect is seen doing its part.
      const skipped = [
        event('other-type', 'test.other', { subject: 'subject pick-x', extensions: { seq: 'pick-x' } }),
        event('other-seq', 'test.echo', { subject: 'subject pick-y', extensions: { seq: 'drop-1' } }),
        event('pick-us', 'test.echo', { extensions: { seq: 'pick-us', region: 'us' } }),
        event('pick-source', 'test.echo', { source: '/conformance/elsewhere' }),
        event('pick-subject', 'test.echo', { subject: 'skip me' }),
        event('pick-text', 'test.echo', { datacontenttype: 'text/plain' }),
      ];
      await broker.publish([...skipped, ...picked]);
      await waitFor(async () => (await broker.sinkEvents()).length >= picked.length, { what: 'the selected events' });
      if (harness.durable) {
        for (const { id } of skipped)
          await waitFor(async () => !(await broker.kept(id)), { what: `${id} acknowledged` });
      }
      expect(new Set(ids(await broker.sinkEvents()))).toEqual(new Set(ids(picked)));
      expect(await broker.deadLetters()).toEqual([]);
    });

    it('retries a retry error until the component succeeds', async () => {
      const broker = await setup();
      await spindle(broker);
      await broker.publish([event('flaky-1', 'test.flaky')]);
      await waitFor(async () => ids(await broker.sinkEvents()).includes('flaky-1'), { what: 'the retried event' });
      expect(await broker.deadLetters()).toEqual([]);
    });

    it.runIf(harness.undecodable !== false)(
      'dead-letters an invalid event with the reason, and an undecodable message with the original bytes',
      async () => {
        const broker = await setup();
        await spindle(broker);
        await broker.publish([event('invalid-1', 'test.invalid')]);
        await broker.publishUndecodable(bytes('{"specversion": "1.0", "id": '));
        await waitFor(async () => (await broker.deadLetters()).length >= 2, { what: 'two dead letters' });
        const letters = await broker.deadLetters();
        const invalid = letters.find((e) => e.id === 'invalid-1');
        expect(invalid?.extensions).toMatchObject({ deadletterkind: 'invalid' });
        expect(invalid?.extensions.deadletterreason).toContain('reason text');
        const undecodable = letters.find((e) => e.id !== 'invalid-1');
        expect(undecodable?.extensions.deadletterkind).toBe('undecodable');
        expect(Buffer.from(undecodable?.data ?? []).toString()).toBe('{"specversion": "1.0", "id": ');
        expect(await broker.sinkEvents()).toEqual([]);
      },
    );

    it.runIf(harness.durable)('keeps a message it could not process when there is no dead-letter sink', async () => {
      const broker = await setup();
      await spindle(broker, { deadLetter: false });
      await broker.publish([event('kept-1', 'test.retry')]);
      await waitFor(() => broker.kept('kept-1'), { what: 'the failed message kept by the broker' });
      expect(await broker.sinkEvents()).toEqual([]);
    });

    // Knative's delivery spec with an HTTP sink that refuses. Every backoff is a minimum
    // wait, and what a loaded machine adds on top is noise, so the policy's shape is
    // asserted by how the gaps between attempts grow: the last step (third gap minus
    // second) is one backoff for linear and two for exponential; 1.5 tells them apart
    // with half a backoff of tolerance. (The first gap also holds the set-up of the first
    // request, so steps that involve it are left out.)
    const BACKOFF_MS = 500;

    it("retries an HTTP sink's 503 attempts times, exponentially spaced, then dead-letters with Knative's extensions", async () => {
      const broker = await setup();
      const body = `overloaded: ${'x'.repeat(2000)}`;
      const target = await httpSink({ status: 503, body });
      await spindle(broker, {
        sink: target.url,
        retry: { attempts: 4, backoff_policy: 'exponential', backoff_delay: `PT${BACKOFF_MS / 1000}S` },
      });
      await broker.publish([event('refused-1')]);
      const dead = await deadLetterOf(broker, 'refused-1');
      // attempts = Knative's `retry` (3) + 1.
      expect(target.arrivals).toHaveLength(4);
      expect(dead?.extensions).toMatchObject({
        deadletterkind: 'sink',
        deadletterattempts: '4',
        deadletterreason: expect.stringContaining('503'),
        knativeerrordest: target.url,
        knativeerrorcode: '503',
        seq: 'refused-1',
      });
      // Knative reads 1024 bytes of the body and keeps 1024 characters of their base64.
      const data = dead?.extensions.knativeerrordata ?? '';
      expect(data).toHaveLength(1024);
      expect(Buffer.from(data, 'base64').toString()).toBe(body.slice(0, 768));
      expect(Buffer.from(dead?.data ?? []).toString()).toBe(Buffer.from(event('refused-1').data ?? []).toString());
      // backoff_delay * 2^(n-1): 0.5, 1, 2 s, each step twice the one before.
      const [g1 = 0, g2 = 0, g3 = 0] = gaps(target.arrivals);
      for (const [n, gap] of [g1, g2, g3].entries()) {
        expect(gap, `the wait before retry ${n + 1}`).toBeGreaterThanOrEqual(BACKOFF_MS * 2 ** n - 5);
      }
      expect(g3 - g2).toBeGreaterThan(1.5 * BACKOFF_MS);
      expect(await broker.sinkEvents()).toEqual([]);
    });

    it('gives up on an HTTP sink that never answers after retry.timeout, retrying linearly spaced, then dead-letters', async () => {
      const broker = await setup();
      const target = await httpSink('never');
      await spindle(broker, {
        sink: target.url,
        retry: { attempts: 4, backoff_policy: 'linear', backoff_delay: BACKOFF_MS, timeout: 'PT0.3S' },
      });
      await broker.publish([event('unanswered-1')]);
      const dead = await deadLetterOf(broker, 'unanswered-1');
      expect(target.arrivals).toHaveLength(4);
      expect(dead?.extensions).toMatchObject({
        deadletterkind: 'sink',
        deadletterattempts: '4',
        deadletterreason: `sink ${target.url}: no answer within 300 ms (retry.timeout)`,
      });
      expect(dead?.extensions).not.toHaveProperty('knativeerrorcode');
      // The 0.3 s timeout, then backoff_delay * n: 0.8, 1.3, 1.8 s, steps of one backoff.
      // Only the backoff is a hard minimum here: the timeout runs from when the send
      // began, which is earlier than when the sink saw the request.
      const [g1 = 0, g2 = 0, g3 = 0] = gaps(target.arrivals);
      for (const [n, gap] of [g1, g2, g3].entries()) {
        expect(gap, `the wait before retry ${n + 1}`).toBeGreaterThanOrEqual(BACKOFF_MS * (n + 1) - 5);
      }
      expect(g3 - g2).toBeLessThan(1.5 * BACKOFF_MS);
    });

    it.runIf(harness.ordered)('keeps the order of events with one key', async () => {
      const broker = await setup();
      await spindle(broker);
      const sent = Array.from({ length: 50 }, (_, i) => event(`order-${i}`));
      await broker.publish(sent, { key: 'one-key' });
      await waitFor(async () => (await broker.sinkEvents()).length >= sent.length, { what: 'all ordered events' });
      expect(ids(await broker.sinkEvents())).toEqual(ids(sent));
    });

    it.runIf(harness.durable)('loses nothing when spindle is killed mid-stream and restarted', async () => {
      const broker = await setup();
      const first = await spindle(broker);
      const sent = Array.from({ length: 300 }, (_, i) => event(`kill-${i}`));
      await broker.publish(sent);
      await waitFor(async () => (await broker.sinkEvents()).length >= 20, { what: 'the first events' });
      await first.stop('SIGKILL');
      await spindle(broker);
      await waitFor(async () => new Set(ids(await broker.sinkEvents())).size >= sent.length, {
        what: 'every event after the restart',
        timeoutMs: 60_000,
      });
      const received = ids(await broker.sinkEvents());
      expect(new Set(received)).toEqual(new Set(ids(sent)));
      console.log(`${harness.name}: ${received.length - sent.length} duplicates of ${sent.length} after a kill`);
    });

    it.runIf(harness.durable)('shares the work between two spindle processes in one group', async () => {
      const broker = await setup();
      await spindle(broker, { who: 'a' });
      await spindle(broker, { who: 'b' });
      const sent = Array.from({ length: 100 }, (_, i) =>
        event(`share-${i}`, 'test.var', { subject: 'who', datacontenttype: undefined, data: undefined }),
      );
      await broker.publish(sent);
      await waitFor(async () => new Set(ids(await broker.sinkEvents())).size >= sent.length, {
        what: 'all shared events',
      });
      const workers = new Set((await broker.sinkEvents()).map((e) => Buffer.from(e.data ?? []).toString()));
      expect(workers).toEqual(new Set(['a', 'b']));
    });
  });
}
