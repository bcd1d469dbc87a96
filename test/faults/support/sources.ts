/**
 * The broker side of a fault case: a source of its own on each broker trigger, and, after
 * the case, the ids of the events the broker still holds (not yet acknowledged, or never
 * delivered). Sinks are the test's own HTTP receivers, so every case counts the same way.
 */
import { Redis } from 'ioredis';
import type { Message } from 'kafkajs';
import { decode as decodeAmqp } from '../../../adapters/amqp/codec.ts';
import { decodeEntry, encodeEntry } from '../../../adapters/redis/codec.ts';
import type { CloudEvent } from '../../../src/event.ts';
import { AmqpTestBroker } from '../../integration/amqp-broker.ts';
import { createKafkaCase, type KafkaCluster, kafkaClient } from '../../integration/kafka-harness.ts';
import { amqpUrl, redisUrl, uniqueName } from '../../support/brokers.ts';
import { waitFor } from '../../support/wait.ts';

export interface FaultSource {
  /** The trigger table's type and fields, without component, sink, dead_letter and retry. */
  readonly type: 'redis' | 'kafka' | 'amqp';
  readonly fields: Record<string, unknown>;
  publish(events: CloudEvent[]): Promise<void>;
  /** Ids of the events the broker still holds; for AMQP, read once spindle has stopped (it takes them). */
  kept(): Promise<string[]>;
  close(): Promise<void>;
}

export interface RedisSource extends FaultSource {
  readonly stream: string;
  /** Add an entry with these fields as they are (bytes kept). */
  publishFields(fields: (string | Buffer)[]): Promise<string>;
}

/** A stream and consumer group of its own, on `url` (the run's Redis unless told). */
export async function redisSource(url = redisUrl()): Promise<RedisSource> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on('error', () => {}); // a test that restarts its Redis sees this client reconnect
  const stream = uniqueName('spindle-faults');
  const group = uniqueName('group');
  return {
    type: 'redis',
    stream,
    // A short claim_idle_ms: a killed process's pending entries are claimed soon.
    fields: { address: url, stream, group, claim_idle_ms: 1_000 },
    async publish(events) {
      const pipeline = redis.pipeline();
      for (const event of events) pipeline.xadd(stream, '*', ...encodeEntry(event));
      await pipeline.exec();
    },
    async publishFields(fields) {
      return (await redis.xadd(stream, '*', ...fields)) as string;
    },
    async kept() {
      const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
      const info = groups.map((flat) => Object.fromEntries(pairs(flat))).find((g) => g.name === group);
      const lastDelivered = String(info?.['last-delivered-id'] ?? '0-0');
      const pending = new Set(
        ((await redis.xpending(stream, group, '-', '+', 100_000)) as [string, ...unknown[]][]).map(([id]) => id),
      );
      const entries = (await redis.xrangeBuffer(stream, '-', '+')) as unknown as [Buffer, Buffer[]][];
      return entries
        .map(([id, fields]) => [id.toString(), fields] as const)
        .filter(([id]) => pending.has(id) || compareEntryIds(id, lastDelivered) > 0)
        .map(([id, fields]) => {
          const decoded = decodeEntry(stream, id, fields);
          return decoded.ok ? decoded.event.id : decoded.raw.id;
        });
    },
    async close() {
      await redis.del(stream).catch(() => {});
      redis.disconnect();
    },
  };
}

function pairs(flat: unknown[]): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([String(flat[i]), flat[i + 1]]);
  return out;
}

/** Stream entry ids `<ms>-<seq>` in order. */
function compareEntryIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am === bm ? Number(as - bs) : Number(am - bm);
}

export interface KafkaSource extends FaultSource {
  readonly topic: string;
  /** Produce records as they are (not CloudEvents, or not valid ones). */
  publishRecords(messages: Message[]): Promise<void>;
}

/** A one-partition topic of its own (order kept: a poison record blocks what follows it), on `cluster` if given. */
export async function kafkaSource(cluster?: KafkaCluster): Promise<KafkaSource> {
  const retry = cluster === undefined ? undefined : { retries: 100, maxRetryTime: 1_000 };
  const broker = await createKafkaCase({ partitions: 1, ...(cluster ? { cluster } : {}), ...(retry ? { retry } : {}) });
  const admin = kafkaClient(broker.brokers).admin();
  await admin.connect();
  const published: string[] = [];
  return {
    type: 'kafka',
    topic: broker.topic,
    fields: broker.trigger.fields,
    async publish(events) {
      await broker.publish(events);
      published.push(...events.map((e) => e.id));
    },
    publishRecords: broker.publishRecords,
    async kept() {
      // Every record at or past the group's committed offset: named by its ce_id, else as spindle wraps it.
      const committed = (await broker.committed()).get(0) ?? -1n;
      const [end] = await admin.fetchTopicOffsets(broker.topic);
      const high = BigInt(end?.high ?? 0);
      const named = new Map(published.map((id) => [broker.placeOf(id)?.offset, id]));
      const kept: string[] = [];
      for (let offset = committed < 0n ? 0n : committed; offset < high; offset++) {
        kept.push(named.get(offset) ?? `${broker.topic}-0-${offset}`);
      }
      return kept;
    },
    async close() {
      await Promise.allSettled([admin.disconnect(), broker.close()]);
    },
  };
}

export interface AmqpSource extends FaultSource {
  readonly queue: string;
  readonly broker: AmqpTestBroker;
}

/** A durable queue of its own on the run's RabbitMQ. */
export async function amqpSource(): Promise<AmqpSource> {
  const broker = await AmqpTestBroker.connect();
  const queue = await broker.queue();
  return {
    type: 'amqp',
    queue,
    broker,
    fields: { url: amqpUrl(), queue },
    publish: (events) => broker.publish(queue, events),
    async kept() {
      // What a killed spindle held unacknowledged is requeued once RabbitMQ has closed its channel.
      await waitFor(async () => (await broker.channel.checkQueue(queue)).consumerCount === 0, {
        what: `RabbitMQ to drop spindle's consumer of ${queue}`,
      });
      const ids: string[] = [];
      for (;;) {
        const message = await broker.channel.get(queue, { noAck: true });
        if (message === false) return ids;
        const decoded = decodeAmqp({
          queue,
          content: message.content,
          fields: message.fields,
          properties: message.properties,
        });
        ids.push(decoded.ok ? decoded.event.id : decoded.raw.id);
      }
    },
    close: () => broker.close(),
  };
}
