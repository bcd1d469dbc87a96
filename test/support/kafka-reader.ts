import { Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import { decode } from '../../adapters/kafka/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { kafkaBrokers, uniqueName } from './brokers.ts';

export interface KafkaTopicReader {
  /** Every record of the topic so far, as it arrived. */
  records: KafkaMessage[];
  /** The records decoded with the adapter's codec (the ones that are CloudEvents). */
  events: CloudEvent[];
  close(): Promise<void>;
}

/** Read `topic` from its beginning, in a consumer group of its own, into memory. */
export async function readKafkaTopic(topic: string): Promise<KafkaTopicReader> {
  const kafka = new Kafka({ clientId: 'spindle-tests-reader', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
  const records: KafkaMessage[] = [];
  const events: CloudEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      records.push(message);
      const decoded = decode({ topic, partition, ...message });
      if (decoded.ok) events.push(decoded.event);
    },
  });
  return { records, events, close: () => consumer.disconnect() };
}
