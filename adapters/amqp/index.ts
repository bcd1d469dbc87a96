import type { Adapter } from '../../src/adapter.ts';
import { amqpSinkAdapter } from './sink.ts';
import { amqpTrigger } from './trigger.ts';

/** RabbitMQ (AMQP 0-9-1): the `[[trigger.amqp]]` queue consumer and the amqp(s):// sink. */
const adapter: Adapter = { triggers: [amqpTrigger], sinks: [amqpSinkAdapter] };
export default adapter;
