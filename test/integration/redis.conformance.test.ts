/**
 * The adapter-conformance suite on Redis: Streams with a consumer group (at least once,
 * every case) and pub/sub channels (at most once, the cases that apply).
 */
import { Redis } from 'ioredis';
import { decodeEntry, decodeMessage, encodeEntry, encodeMessage } from '../../adapters/redis/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { describeWithBroker, redisUrl, uniqueName } from '../support/brokers.ts';
import type { BrokerCase, BrokerHarness } from './conformance/harness.ts';
import { conformanceSuite } from './conformance/suite.ts';

function decoded(stream: string, entries: [string, string[]][]): CloudEvent[] {
  return entries.flatMap(([id, fields]) => {
    const result = decodeEntry(stream, id, fields);
    return result.ok ? [result.event] : [];
  });
}

const streams: BrokerHarness = {
  name: 'redis streams',
  durable: true,
  ordered: false,
  async create(): Promise<BrokerCase> {
    const redis = new Redis(redisUrl());
    const source = uniqueName('spindle-in');
    const sink = uniqueName('spindle-out');
    const deadLetter = uniqueName('spindle-dlq');
    const group = uniqueName('group');
    const entryOf = new Map<string, string>();
    const range = async (stream: string) =>
      decoded(stream, (await redis.xrange(stream, '-', '+')) as [string, string[]][]);
    return {
      // A short claim_idle_ms: the killed process's pending entries are claimed soon.
      trigger: { type: 'redis', fields: { address: redisUrl(), stream: source, group, claim_idle_ms: 1_000 } },
      sink: `${redisUrl()}?stream=${sink}`,
      deadLetter: `${redisUrl()}?stream=${deadLetter}`,
      async publish(events) {
        const pipeline = redis.pipeline();
        for (const event of events) pipeline.xadd(source, '*', ...encodeEntry(event));
        const results = (await pipeline.exec()) ?? [];
        for (const [i, [, id]] of results.entries()) entryOf.set(events[i]?.id ?? '', String(id));
      },
      async publishUndecodable(payload) {
        await redis.xadd(source, '*', 'event', Buffer.from(payload));
      },
      sinkEvents: () => range(sink),
      deadLetters: () => range(deadLetter),
      async kept(eventId) {
        const entry = entryOf.get(eventId);
        const pending = (await redis.xpending(source, group, '-', '+', 100)) as [string, ...unknown[]][];
        return entry !== undefined && pending.some(([id]) => id === entry);
      },
      async close() {
        await redis.del(source, sink, deadLetter);
        redis.disconnect();
      },
    };
  },
};

const pubsub: BrokerHarness = {
  name: 'redis pub/sub',
  durable: false,
  ordered: false,
  // Pub/sub wraps any payload that is not a JSON object with specversion (codec.ts).
  undecodable: false,
  async create(): Promise<BrokerCase> {
    const redis = new Redis(redisUrl());
    const listener = new Redis(redisUrl());
    const source = uniqueName('spindle-in');
    const sink = uniqueName('spindle-out');
    const deadLetter = uniqueName('spindle-dlq');
    const received = new Map<string, CloudEvent[]>([
      [sink, []],
      [deadLetter, []],
    ]);
    listener.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      const result = decodeMessage(channel.toString(), message);
      if (result.ok) received.get(channel.toString())?.push(result.event);
    });
    await listener.subscribe(sink, deadLetter);
    return {
      trigger: { type: 'redis', fields: { address: redisUrl(), channel: source } },
      sink: `${redisUrl()}?channel=${sink}`,
      deadLetter: `${redisUrl()}?channel=${deadLetter}`,
      async publish(events) {
        for (const event of events) await redis.publish(source, encodeMessage(event));
      },
      async publishUndecodable(payload) {
        await redis.publish(source, Buffer.from(payload));
      },
      sinkEvents: async () => [...(received.get(sink) ?? [])],
      deadLetters: async () => [...(received.get(deadLetter) ?? [])],
      kept: async () => false,
      async close() {
        listener.disconnect();
        redis.disconnect();
      },
    };
  },
};

describeWithBroker('redis', 'redis trigger conformance', () => {
  conformanceSuite(streams);
  conformanceSuite(pubsub);
});
