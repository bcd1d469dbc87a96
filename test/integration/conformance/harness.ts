import type { CloudEvent } from '../../../src/event.ts';

/**
 * What the conformance suite needs of one broker. Each adapter's test file implements
 * it over the real client library and hands it to `conformanceSuite`.
 */
export interface BrokerHarness {
  readonly name: string;
  /** At-least-once with acks (Streams, Kafka, AMQP); false for Redis pub/sub (at most once). */
  readonly durable: boolean;
  /** Kafka: events with one key keep their order. */
  readonly ordered: boolean;
  /**
   * False where the binding wraps every payload it cannot read into an event instead of
   * refusing it (Redis pub/sub): the undecodable dead-letter case does not apply.
   */
  readonly undecodable?: boolean;
  /** A fresh, isolated source (topic, stream, queue) with its own sink and dead-letter destinations. */
  create(): Promise<BrokerCase>;
}

export interface BrokerCase {
  /** The trigger table without `component`, `sink`, `dead_letter` and `retry`. */
  readonly trigger: { type: string; fields: Record<string, unknown> };
  /** Sink and dead-letter URIs on the same broker. */
  readonly sink: string;
  readonly deadLetter: string;
  /** Publish CloudEvents the way a producer using the binding would (binary mode where there is one). */
  publish(events: CloudEvent[], options?: { key?: string }): Promise<void>;
  /** Publish a message the codec cannot decode (e.g. malformed structured JSON). */
  publishUndecodable(payload: Uint8Array): Promise<void>;
  /** Every event that reached the sink so far, decoded with the adapter's codec. */
  sinkEvents(): Promise<CloudEvent[]>;
  deadLetters(): Promise<CloudEvent[]>;
  /** Whether the broker still holds this event's message unacknowledged / for redelivery. */
  kept(eventId: string): Promise<boolean>;
  close(): Promise<void>;
}
