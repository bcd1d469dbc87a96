import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../src/event.ts';
import { cleanupAfterEach } from '../../support/cleanups.ts';
import { buildFixture } from '../../support/fixtures.ts';
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
 * One adapter-conformance suite for every broker: deliver, ack after success, retry,
 * dead-letter, ordering, restart without loss, scale-out.
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
      options: { deadLetter?: boolean; who?: string; filters?: unknown[] } = {},
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
              sink: broker.sink,
              ...(options.deadLetter === false ? {} : { dead_letter: broker.deadLetter }),
              retry: { attempts: 3, backoff_ms: 20, max_delay_ms: 100 },
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
