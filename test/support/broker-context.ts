/**
 * What the global setup found for each broker, handed to every test worker with
 * vitest's `provide`/`inject`. Plain JSON: it crosses process boundaries.
 */

/** A broker the tests can use, and how it was found, or why there is none. */
export type Found<T> = ({ ok: true; via: string } & T) | { ok: false; reason: string };

export interface KafkaFound {
  brokers: string[];
  /**
   * Set when the brokers are the librdkafka mock: it cannot create topics on request, so
   * the setup created `spindle-p<partitions>-<n>` topics up front; a worker claims one by
   * creating the file `<claims>/<topic>` exclusively.
   */
  pool?: { claims: string; sizes: Record<string, number> };
}

export interface BrokerContext {
  redis: Found<{ url: string }>;
  amqp: Found<{ url: string }>;
  kafka: Found<KafkaFound>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    spindleBrokers: BrokerContext;
  }
}

/** Partition counts of the mock's topic pool, and how many topics of each. */
export const KAFKA_MOCK_POOL: Readonly<Record<number, number>> = { 1: 64, 2: 8, 3: 8 };
/** Partitions of a topic the mock creates on first use (librdkafka's default). */
export const KAFKA_MOCK_AUTO_PARTITIONS = 4;

export function poolTopic(partitions: number, n: number): string {
  return `spindle-p${partitions}-${n}`;
}
