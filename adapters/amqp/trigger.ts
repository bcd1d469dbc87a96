import type { RunningTrigger, TriggerAdapter } from '../../src/adapter.ts';
import { type AmqpTriggerConfig, parseAmqpTriggerConfig } from './config.ts';
import { QueueConsumer } from './consumer.ts';

/** Brokers redeliver on their own; spindle retries a few times in-process first. */
const AMQP_RETRY = { attempts: 5, backoffMs: 200, maxDelayMs: 10_000 };

/**
 * `[[trigger.amqp]]`: consume a RabbitMQ (AMQP 0-9-1) queue, one connection and channel
 * per trigger table, at least once (see consumer.ts for the acknowledgement rules).
 * Several spindle processes on one queue share its messages: RabbitMQ hands each
 * delivery to one consumer, and requeues the unacked ones of a consumer that dies.
 */
export const amqpTrigger: TriggerAdapter<AmqpTriggerConfig> = {
  type: 'amqp',

  parseConfig: (table, app) => parseAmqpTriggerConfig(table, app),
  worlds: () => ['event'],

  async start(ctx, configs) {
    const consumers: QueueConsumer[] = [];
    const running: RunningTrigger = {
      describe: () => configs.map((c) => `amqp queue ${c.queue} -> ${c.component}`),
      drain: async () => {
        await Promise.all(consumers.map((c) => c.drain()));
      },
      close: async () => {
        await Promise.all(consumers.map((c) => c.close()));
      },
    };
    try {
      for (const config of configs) {
        const consumer = new QueueConsumer(ctx, config, await ctx.route(config, AMQP_RETRY));
        consumers.push(consumer);
        await consumer.start();
        ctx.reportLag(config.table, config.queue, () => consumer.lag());
      }
    } catch (error) {
      await running.close();
      throw error;
    }
    return running;
  },
};
