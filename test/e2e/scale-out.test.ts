/**
 * Scale-out is the brokers' own: several `spindle up` processes in one Kafka consumer
 * group, on one RabbitMQ queue, in one Redis Streams group share the work. Events flow
 * the whole time while a second and a third process join, one leaves (SIGTERM) and one
 * is killed (SIGKILL); every event must reach the sink, counted by id (duplicates are
 * what at-least-once allows after a kill, and are counted, not forbidden). The joining
 * process answers its health route from the moment it listens, rebalance or not.
 *
 * Each process transforms with its own suffix (`--variable suffix=.b`), so the sink
 * shows who processed what.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { stringify } from 'smol-toml';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { encode as encodeAmqp } from '../../adapters/amqp/codec.ts';
import { encode as encodeKafka } from '../../adapters/kafka/codec.ts';
import { encodeEntry } from '../../adapters/redis/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { amqpUrl, describeWithBroker, kafkaBrokers, kafkaTopic, redisUrl, uniqueName } from '../support/brokers.ts';
import { type EventReceiver, startReceiver } from '../support/event-receiver.ts';
import { expectNoProcessWarnings } from '../support/no-process-warnings.ts';
import {
  buildExampleTransform,
  HEALTH_ROUTE,
  readiness,
  type SpindleProcess,
  startSpindle,
  waitReady,
} from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

const TRANSFORM = fileURLToPath(new URL('../../examples/transform/transform.wasm', import.meta.url));
/** Events published per tick of the publisher, and the tick. */
const PER_TICK = 2;
const TICK_MS = 100;

/** How a broker takes events, and the trigger table that consumes them. */
interface Broker {
  trigger: Record<string, unknown>;
  publish(events: CloudEvent[]): Promise<void>;
  close(): Promise<void>;
}

const order = (id: string): CloudEvent => ({
  id,
  source: '/scale-out',
  type: 'io.shop.order',
  specversion: '1.0',
  datacontenttype: 'application/json',
  extensions: {},
  data: new TextEncoder().encode(JSON.stringify({ id })),
});

/** Publishes PER_TICK events every TICK_MS until stopped; remembers their ids. */
function startPublishing(broker: Broker) {
  const ids: string[] = [];
  let running = true;
  let failure: unknown;
  const done = (async () => {
    while (running) {
      const batch = Array.from({ length: PER_TICK }, () => order(`e-${ids.length + 1}-${uniqueName('')}`));
      try {
        await broker.publish(batch);
        ids.push(...batch.map((e) => e.id));
      } catch (error) {
        failure = error;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
  })();
  return {
    ids,
    async stop() {
      running = false;
      await done;
      if (failure !== undefined) throw failure;
    },
  };
}

describeWithBroker(['kafka', 'amqp', 'redis'], 'several spindle processes share one source', () => {
  const processes: SpindleProcess[] = [];
  let receiver: EventReceiver | undefined;
  let broker: Broker | undefined;

  beforeAll(async () => {
    await buildExampleTransform();
  }, 180_000);
  afterEach(async () => {
    await Promise.allSettled(processes.splice(0).map((p) => p.stop('SIGKILL')));
    await receiver?.close();
    await broker?.close();
  });

  /** `spindle up` on `trigger`, its events transformed with `suffix` and sent to the receiver. */
  async function spindle(sink: string, trigger: Record<string, unknown>, suffix: string, listening = false) {
    const dir = mkdtempSync(join(tmpdir(), 'spindle-scale-'));
    const [type, table] = Object.entries(trigger)[0] ?? [];
    const manifest = {
      application: { name: 'scale-out' },
      variables: { suffix: { default: '' } },
      trigger: { [type as string]: [{ ...(table as object), component: 'transform', sink }] },
      component: { transform: { source: TRANSFORM, variables: { suffix: '{{ suffix }}' } } },
    };
    writeFileSync(join(dir, 'spindle.toml'), stringify(manifest));
    const started = await startSpindle(['-f', dir, '--log-format', 'json', '--variable', `suffix=${suffix}`], {
      listening,
    });
    processes.push(started);
    return started;
  }

  /** Who processed the events that reached the sink: the suffixes of their types. */
  const processedBy = () => new Set(receiver?.events.map((e) => e.type.replace('io.shop.order', '')) ?? []);
  const receivedSince = (count: number) => async () => (receiver?.events.length ?? 0) >= count;

  /**
   * A processes alone; B joins (its health polled from the moment it listens until it is
   * ready) and C joins, all while events flow; B leaves with SIGTERM, C is killed. Every
   * event must reach the sink.
   */
  async function scaleOut(name: string, opened: Broker) {
    broker = opened;
    receiver = await startReceiver();
    const sink = receiver.url;
    const a = await spindle(sink, opened.trigger, '.a');
    await waitReady(a.url);
    const publishing = startPublishing(opened);
    await waitFor(receivedSince(20), { what: 'events processed by A alone' });

    // B joins while events flow: it answers its health route throughout.
    const joinStarted = Date.now();
    const b = await spindle(sink, opened.trigger, '.b', true);
    const listenedAfterMs = Date.now() - joinStarted;
    const health: number[] = [];
    const states = new Set<string>();
    await waitFor(
      async () => {
        health.push((await fetch(new URL(HEALTH_ROUTE, b.url))).status);
        const ready = await readiness(b.url);
        const { triggers } = ready.body as { triggers: { state: string }[] };
        for (const t of triggers) states.add(t.state);
        return ready.status === 200;
      },
      { what: 'B ready', timeoutMs: 45_000, intervalMs: 100 },
    );
    const joinedAfterMs = Date.now() - joinStarted;
    expect(health.length).toBeGreaterThan(0);
    expect(health.every((status) => status === 200)).toBe(true);
    await waitFor(() => processedBy().has('.b'), { what: 'events processed by B', timeoutMs: 30_000 });

    const c = await spindle(sink, opened.trigger, '.c');
    await waitReady(c.url, 45_000);
    await waitFor(receivedSince(receiver.events.length + 20), { what: 'events flowing with three processes' });

    expect(await b.stop('SIGTERM')).toBe(0);
    await waitFor(receivedSince(receiver.events.length + 20), { what: 'events flowing after B left' });
    await c.stop('SIGKILL');
    await waitFor(receivedSince(receiver.events.length + 20), { what: 'events flowing after C was killed' });
    await publishing.stop();

    const published = new Set(publishing.ids);
    await waitFor(() => new Set(receiver?.events.map((e) => e.id)).size >= published.size, {
      what: `all ${published.size} events at the sink`,
      timeoutMs: 45_000,
    });
    const received = receiver.events.map((e) => e.id);
    const unique = new Set(received);
    expect([...published].filter((id) => !unique.has(id))).toEqual([]);
    expect(received.filter((id) => !published.has(id))).toEqual([]);
    expect([...processedBy()]).toEqual(expect.arrayContaining(['.a', '.b']));
    // Rebalances, members leaving and killed: nothing a user would read as a warning.
    for (const p of [a, b, c]) expectNoProcessWarnings(p.output());
    const duplicates = received.length - published.size;
    console.info(
      `${name}: ${published.size} events, ${duplicates} duplicates, processed by ${[...processedBy()].join(' ')}; ` +
        `B listened after ${listenedAfterMs} ms and was ready after ${joinedAfterMs} ms ` +
        `(health ${health.length}x 200, readiness states ${[...states].join(', ')})`,
    );
  }

  it('in one Kafka consumer group, more members than partitions', async () => {
    const kafka = new Kafka({ clientId: 'scale-out-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const topic = await kafkaTopic(2);
    await scaleOut('kafka', {
      // The mock completes a rebalance one second before the session timeout: keep it short.
      trigger: { kafka: { brokers: kafkaBrokers(), topic, group: uniqueName('group'), session_timeout_ms: 6_000 } },
      publish: async (events) => {
        await producer.send({
          topic,
          messages: events.map((e) => ({ ...encodeKafka(e, { mode: 'binary' }), key: e.id })),
        });
      },
      close: () => producer.disconnect(),
    });
  }, 240_000);

  it('on one RabbitMQ queue', async () => {
    const queue = uniqueName('scale-out');
    const connection = await amqp.connect(amqpUrl());
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: false, autoDelete: false });
    await scaleOut('amqp', {
      trigger: { amqp: { url: amqpUrl(), queue, prefetch: 4 } },
      publish: async (events) => {
        for (const e of events) {
          const { content, options } = encodeAmqp(e, { mode: 'binary' });
          channel.sendToQueue(queue, Buffer.from(content), options);
        }
        await channel.waitForConfirms();
      },
      close: async () => {
        await channel.deleteQueue(queue).catch(() => {});
        await connection.close();
      },
    });
  }, 240_000);

  it('in one Redis Streams consumer group', async () => {
    const stream = uniqueName('scale-out');
    const redis = new Redis(redisUrl());
    await scaleOut('redis', {
      // A killed consumer's pending entries are claimed by the others after claim_idle_ms.
      trigger: { redis: { address: redisUrl(), stream, group: uniqueName('group'), claim_idle_ms: 2_000 } },
      publish: async (events) => {
        const batch = redis.multi();
        for (const e of events) batch.xadd(stream, '*', ...encodeEntry(e));
        await batch.exec();
      },
      close: async () => {
        await redis.del(stream);
        redis.disconnect();
      },
    });
  }, 240_000);
});
