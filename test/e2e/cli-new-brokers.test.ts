/**
 * The broker templates of `spindle new`, run as a user runs them: made, built, started
 * against the real broker with the template's variables pointed at this test's own sink,
 * sent an event with `spindle send`, and the transformed event read back at the sink.
 * Each template names its source `<project>-in` after the app's directory, so a unique
 * directory name gives each run a source of its own. (The templates' package.json has
 * no test script of its own to run.)
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeEntry } from '../../adapters/redis/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { AmqpTestBroker } from '../integration/amqp-broker.ts';
import {
  amqpUrl,
  describeWithBroker,
  ensureKafkaTopic,
  kafkaBrokers,
  kafkaTopic,
  redisUrl,
  uniqueName,
} from '../support/brokers.ts';
import { cleanupAfterEach } from '../support/cleanups.ts';
import { readKafkaTopic } from '../support/kafka-reader.ts';
import { BUILD_CACHE, buildNewApp, newApp } from '../support/new-app.ts';
import { expectNoProcessWarnings } from '../support/no-process-warnings.ts';
import { runSpindle, type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

/** A componentize build each, on a loaded machine. */
const TEMPLATE_TIMEOUT_MS = 240_000;
const cleanups = cleanupAfterEach();

/** `spindle new TEMPLATE` in a directory of a unique name, then `spindle build`: the app's directory and name. */
async function builtApp(template: string): Promise<{ dir: string; name: string }> {
  const name = `${template}-${randomUUID().slice(0, 8)}`;
  const dir = await newApp(template, name);
  await buildNewApp(dir);
  return { dir, name };
}

/** `spindle up -f DIR --variable NAME=VALUE...`, stopped after the test. */
async function up(dir: string, variables: Record<string, string>): Promise<SpindleProcess> {
  const flags = Object.entries(variables).flatMap(([name, value]) => ['--variable', `${name}=${value}`]);
  const spindle = await startSpindle(['-f', dir, ...flags], { env: { SPINDLE_CACHE_DIR: BUILD_CACHE } });
  cleanups.push(() => spindle.stop('SIGKILL'));
  return spindle;
}

/** `spindle send URI` of a JSON event, as the template's README says to try it. */
async function sendEvent(uri: string, id: string): Promise<void> {
  const sent = await runSpindle(['send', uri, '--type', 'demo', '--id', id, '--data', '{"n":1}']);
  expect(sent.stderr).toBe('');
  expect(sent.code).toBe(0);
}

/** What the template's guest makes of the event `sendEvent` sent. */
function expectTransformed(event: CloudEvent | undefined, id: string, app: string): void {
  expect(event).toMatchObject({
    id,
    source: 'spindle-cli',
    type: 'demo.transformed',
    datacontenttype: 'application/json',
  });
  expect(JSON.parse(new TextDecoder().decode(event?.data))).toEqual({ n: 1, transformedBy: app });
}

describeWithBroker(
  'redis',
  'spindle new redis-streams-*: built, up, a stream entry transformed to the sink stream',
  () => {
    let redis: Redis;
    beforeAll(() => {
      redis = new Redis(redisUrl());
    });
    afterAll(() => redis?.disconnect());

    it.each(['redis-streams-js', 'redis-streams-ts'])(
      '%s',
      async (template) => {
        const { dir, name } = await builtApp(template);
        const sink = uniqueName('out');
        cleanups.push(() => redis.del(`${name}-in`, sink));
        const spindle = await up(dir, { redis_address: redisUrl(), sink: `${redisUrl()}?stream=${sink}` });

        await sendEvent(`${redisUrl()}?stream=${name}-in`, 'rs-1');
        let entries: [string, string[]][] = [];
        await waitFor(
          async () => {
            entries = await redis.xrange(sink, '-', '+');
            return entries.length > 0;
          },
          { what: `the transformed event in stream ${sink}` },
        );
        expect(entries).toHaveLength(1);
        const [entryId, fields] = entries[0] ?? ['', []];
        const decoded = decodeEntry(sink, entryId, fields);
        expectTransformed(decoded.ok ? decoded.event : undefined, 'rs-1', name);
        expectNoProcessWarnings(spindle.output());
      },
      TEMPLATE_TIMEOUT_MS,
    );
  },
);

describeWithBroker('amqp', 'spindle new amqp-js: built, up, a queued message transformed to the sink', () => {
  let broker: AmqpTestBroker;
  beforeAll(async () => {
    broker = await AmqpTestBroker.connect();
  });
  afterAll(() => broker?.close());

  it(
    'amqp-js',
    async () => {
      const { dir, name } = await builtApp('amqp-js');
      const sink = await broker.queue();
      const collected = await broker.collect(sink);
      // The trigger declares its queue (durable): gone again once the app has stopped.
      cleanups.push(() => broker.channel.deleteQueue(`${name}-in`));
      const spindle = await up(dir, { amqp_url: amqpUrl(), sink: broker.sinkUri(sink) });

      await sendEvent(broker.sinkUri(`${name}-in`), 'amqp-1');
      await waitFor(() => collected.messages.length > 0, { what: `the transformed event in queue ${sink}` });
      expect(collected.events()).toHaveLength(1);
      expectTransformed(collected.events()[0], 'amqp-1', name);
      expectNoProcessWarnings(spindle.output());
    },
    TEMPLATE_TIMEOUT_MS,
  );
});

describeWithBroker('kafka', 'spindle new kafka-ts: built, up, a record transformed to the sink topic', () => {
  it(
    'kafka-ts',
    async () => {
      const { dir, name } = await builtApp('kafka-ts');
      await ensureKafkaTopic(`${name}-in`);
      const sink = await kafkaTopic();
      const brokers = kafkaBrokers().join(',');
      const reader = await readKafkaTopic(sink);
      cleanups.push(() => reader.close());
      const spindle = await up(dir, { kafka_brokers: brokers, sink: `kafka://${brokers}/${sink}` });

      await sendEvent(`kafka://${brokers}/${name}-in`, 'k-1');
      await waitFor(() => reader.events.length > 0, {
        what: `the transformed event on topic ${sink}`,
        timeoutMs: 60_000, // the trigger's consumer group joins first
      });
      expect(reader.events).toHaveLength(1);
      expectTransformed(reader.events[0], 'k-1', name);
      expectNoProcessWarnings(spindle.output());
    },
    TEMPLATE_TIMEOUT_MS,
  );
});
