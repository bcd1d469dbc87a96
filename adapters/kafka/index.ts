import type { Adapter } from '../../src/adapter.ts';
import { kafkaSinkAdapter } from './sink.ts';
import { kafkaTrigger } from './trigger.ts';

/** Kafka: `[[trigger.kafka]]` consumers and the kafka:// sink (CloudEvents Kafka binding). */
const adapter: Adapter = { triggers: [kafkaTrigger], sinks: [kafkaSinkAdapter] };
export default adapter;
