/**
 * Kafka for the conformance suite and the Kafka trigger's own tests: a source topic with
 * partitions, one-partition sink and dead-letter topics (so that reading them back keeps
 * the order the sink produced in), a producer that remembers where each event landed,
 * and a reader that collects what reached the sink and the dead-letter topic.
 */
import { type Admin, Kafka, logLevel, type Message, Partitioners, type Producer, type RetryOptions } from 'kafkajs';
import { decode, encode } from '../../adapters/kafka/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { kafkaBrokers, kafkaTopic, uniqueName } from '../support/brokers.ts';
import type { BrokerCase, BrokerHarness } from './conformance/harness.ts';

export interface KafkaCase extends BrokerCase {
  readonly topic: string;
  readonly group: string;
  readonly brokers: string[];
  /** Produce raw records (not CloudEvents, or not valid ones) to the source topic. */
  publishRecords(messages: Message[]): Promise<void>;
  /** Where a published event landed. */
  placeOf(eventId: string): { partition: number; offset: bigint } | undefined;
  /** What reached the sink topic, in order, with each record's key (its bytes). */
  sinkRecords(): Promise<{ key: Buffer | null; event: CloudEvent }[]>;
  /** The group's committed offset per partition of the source topic (-1: none). */
  committed(): Promise<Map<number, bigint>>;
}

/** A cluster other than the run's shared one, with the case's topics already there. */
export interface KafkaCluster {
  brokers: string[];
  /** Source, sink and dead-letter topics (the sink and dead-letter ones of one partition). */
  topics: { source: string; sink: string; dead: string };
}

export function kafkaClient(brokers = kafkaBrokers(), retry?: RetryOptions): Kafka {
  return new Kafka({ clientId: 'spindle-tests', brokers, logLevel: logLevel.NOTHING, ...(retry ? { retry } : {}) });
}

export async function createKafkaCase(
  options: {
    partitions?: number;
    fields?: Record<string, unknown>;
    cluster?: KafkaCluster;
    /** How long the case's producer and reader keep trying a broker (kafkajs's default unless told). */
    retry?: RetryOptions;
  } = {},
) {
  const { cluster } = options;
  const brokers = cluster?.brokers ?? kafkaBrokers();
  const [topic, sinkTopic, deadTopic] = cluster
    ? [cluster.topics.source, cluster.topics.sink, cluster.topics.dead]
    : await Promise.all([kafkaTopic(options.partitions ?? 4), kafkaTopic(), kafkaTopic()]);
  const group = uniqueName('group');
  const client = kafkaClient(brokers, options.retry);
  const placed = new Map<string, number>();
  const places = new Map<string, { partition: number; offset: bigint }>();
  const producer: Producer = client.producer({
    createPartitioner: () => {
      const inner = Partitioners.DefaultPartitioner();
      return (args) => {
        const partition = inner(args);
        const id = args.message.headers?.ce_id;
        if (typeof id === 'string') placed.set(id, partition);
        return partition;
      };
    },
  });
  const admin: Admin = client.admin();
  const reader = client.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
  const sink: { key: Buffer | null; event: CloudEvent }[] = [];
  const dead: CloudEvent[] = [];
  await Promise.all([producer.connect(), admin.connect(), reader.connect()]);
  await reader.subscribe({ topics: [sinkTopic, deadTopic], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ topic: from, partition, message }) => {
      const decoded = decode({ topic: from, partition, ...message, headers: message.headers ?? {} });
      if (!decoded.ok) throw decoded.error;
      if (from === sinkTopic) sink.push({ key: decoded.key, event: decoded.event });
      else dead.push(decoded.event);
    },
  });

  const send = async (messages: Message[]) => {
    const results = await producer.send({ topic, messages, acks: -1 });
    const seen = new Map<number, number>();
    for (const message of messages) {
      const id = message.headers?.ce_id;
      if (typeof id !== 'string') continue;
      const partition = placed.get(id);
      const base = results.find((r) => r.partition === partition)?.baseOffset;
      if (partition === undefined || base === undefined) continue;
      const index = seen.get(partition) ?? 0;
      seen.set(partition, index + 1);
      places.set(id, { partition, offset: BigInt(base) + BigInt(index) });
    }
  };

  const committed = async () => {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  };

  const broker: KafkaCase = {
    topic,
    group,
    brokers,
    trigger: { type: 'kafka', fields: { brokers, topic, group, session_timeout_ms: 6_000, ...options.fields } },
    sink: `kafka://${brokers[0]}/${sinkTopic}`,
    deadLetter: `kafka://${brokers[0]}/${deadTopic}`,
    async publish(events, publishOptions = {}) {
      await send(
        events.map((event) => ({
          ...encode(event, { mode: 'binary', ...(publishOptions.key ? { key: publishOptions.key } : {}) }),
        })),
      );
    },
    async publishUndecodable(payload) {
      await send([{ value: Buffer.from(payload), headers: { 'content-type': 'application/cloudevents+json' } }]);
    },
    publishRecords: send,
    placeOf: (id) => places.get(id),
    committed,
    sinkEvents: async () => sink.map((record) => record.event),
    sinkRecords: async () => [...sink],
    deadLetters: async () => [...dead],
    async kept(eventId) {
      const place = places.get(eventId);
      if (place === undefined) throw new Error(`event ${eventId} was not published`);
      const offset = (await committed()).get(place.partition) ?? -1n;
      return offset <= place.offset;
    },
    async close() {
      await Promise.allSettled([reader.disconnect(), producer.disconnect(), admin.disconnect()]);
    },
  };
  return broker;
}

export const kafkaHarness: BrokerHarness = {
  name: 'kafka',
  durable: true,
  ordered: true,
  create: () => createKafkaCase(),
};
