import { ManifestError, type RunningTrigger, type TriggerAdapter } from '../../src/adapter.ts';
import { type KafkaTriggerConfig, parseKafkaTriggerConfig } from './config.ts';
import { KafkaTriggerConsumer } from './consumer.ts';

/** What the dispatcher tries in-process before a record is left in Kafka (or dead-lettered). */
const KAFKA_RETRY = { attempts: 5, backoffMs: 200, maxDelayMs: 10_000 };

/**
 * `[[trigger.kafka]]`: each table is a consumer in its group, feeding records as
 * CloudEvents to its component and committing offsets once each outcome allows.
 * See consumer.ts for the delivery guarantees and config.ts for the fields.
 */
export const kafkaTrigger: TriggerAdapter<KafkaTriggerConfig> = {
  type: 'kafka',

  parseConfig: (table, app) => parseKafkaTriggerConfig(table, app),
  worlds: () => ['event'],

  async start(ctx, configs) {
    checkGroups(ctx.app.file, configs);
    const consumers: KafkaTriggerConsumer[] = [];
    const running: RunningTrigger = {
      describe: () => consumers.map((c) => c.describe()),
      drain: async () => {
        await Promise.allSettled(consumers.map((c) => c.drain()));
      },
      close: async () => {
        await Promise.allSettled(consumers.map((c) => c.close()));
      },
    };
    try {
      for (const config of configs) {
        const consumer = new KafkaTriggerConsumer(ctx, config, await ctx.route(config, KAFKA_RETRY));
        consumers.push(consumer);
      }
      await Promise.all(consumers.map((c) => c.start()));
    } catch (error) {
      await running.drain();
      await running.close();
      throw error;
    }
    return running;
  },
};

/**
 * Members of one group must subscribe to the same topics (the assignors hand every member
 * partitions of every subscribed topic), so two tables of one app cannot share a group.
 */
function checkGroups(file: string, configs: KafkaTriggerConfig[]): void {
  const seen = new Map<string, string>();
  for (const config of configs) {
    const key = `${config.connection.brokers.join(',')} ${config.group}`;
    const other = seen.get(key);
    if (other !== undefined) {
      throw new ManifestError(
        file,
        config.table,
        'group',
        `'${config.group}' is already the group of [${other}]: give each kafka trigger a group of its own`,
      );
    }
    seen.set(key, config.table);
  }
}
