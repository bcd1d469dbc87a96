/**
 * `[[trigger.redis]]`: Redis pub/sub channels (Spin's Redis trigger, at most once) and
 * Redis Streams consumer groups (at least once). See config.ts for the fields,
 * channel-subscriber.ts and stream-consumer.ts for the delivery guarantees.
 *
 * Connections: per address one subscriber (all its channels) and one connection for
 * XACK; per stream consumer one connection of its own (its reads block).
 */
import type { Redis } from 'ioredis';
import type { RunningTrigger, TriggerAdapter, TriggerContext } from '../../src/adapter.ts';
import { ChannelSubscriber } from './channel-subscriber.ts';
import { parseRedisConfig, type RedisStreamConfig, type RedisTriggerConfig } from './config.ts';
import { closeRedis, connectRedis, redactUrl } from './connection.ts';
import { type OpenedHandler, openHandler } from './handlers.ts';
import { fanOut, fanOutAll } from './message.ts';
import { tablesStatus, watchConnection } from './readiness.ts';
import { StreamConsumer } from './stream-consumer.ts';
import { streamLag } from './stream-lag.ts';

export const redisTrigger: TriggerAdapter<RedisTriggerConfig> = {
  type: 'redis',
  parseConfig: parseRedisConfig,
  worlds: () => ['event', 'spin-redis'],
  start: startRedis,
};

interface Part {
  drain(): Promise<void>;
}

async function startRedis(ctx: TriggerContext, configs: RedisTriggerConfig[]): Promise<RunningTrigger> {
  const clients: Redis[] = [];
  const parts: Part[] = [];
  const lines: string[] = [];
  const connect = async (address: string, name: string, patient: boolean) => {
    const client = await connectRedis(address, { logger: ctx.logger, name, patient });
    clients.push(client);
    return client;
  };
  const close = async () => {
    await Promise.allSettled(clients.map(closeRedis));
  };

  try {
    const handlers = await Promise.all(
      configs.map(async (config) => ({ config, opened: await openHandler(ctx, config) })),
    );

    // Pub/sub: one subscription per address and channel, fanned out to its components.
    for (const [address, channels] of groupBy(
      handlers.filter((h) => h.config.kind === 'channel'),
      (h) => h.config.address,
      (h) => (h.config.kind === 'channel' ? h.config.channel : ''),
    )) {
      const client = await connect(address, `spindle:${ctx.app.name}:subscriber`, true);
      const subscriber = new ChannelSubscriber(
        client,
        new Map([...channels].map(([channel, hs]) => [channel, fanOut(hs.map((h) => h.opened.handle))])),
        ctx.logger,
      );
      await subscriber.start();
      parts.push(subscriber);
      // ioredis subscribes again on its own once reconnected.
      const status = tablesStatus(
        ctx.status,
        [...channels.values()].flat().map((h) => h.config.table),
      );
      status.ready('subscribed');
      watchConnection(client, status, 'subscribed');
      for (const [channel, hs] of channels) {
        ctx.logger.info(
          { redis: redactUrl(address), channel },
          'subscribed to a pub/sub channel: delivery is at most once (use a stream for at least once)',
        );
        lines.push(`redis channel ${channel} (pub/sub, at most once) -> ${labels(hs)}`);
      }
    }

    // Streams: one consumer per address, stream, group and consumer name, fanned out too.
    const commands = new Map<string, Redis>();
    for (const [, consumers] of groupBy(
      handlers.filter((h) => h.config.kind === 'stream'),
      (h) => h.config.address,
      (h) => consumerKey(h.config as RedisStreamConfig),
    )) {
      for (const hs of consumers.values()) {
        const config = hs[0]?.config as RedisStreamConfig;
        let acker = commands.get(config.address);
        if (acker === undefined) {
          acker = await connect(config.address, `spindle:${ctx.app.name}:commands`, true);
          commands.set(config.address, acker);
        }
        const reader = await connect(config.address, `spindle:${ctx.app.name}:reader:${config.stream}`, true);
        const status = tablesStatus(
          ctx.status,
          hs.map((h) => h.config.table),
        );
        const consumer = new StreamConsumer({
          reader,
          status,
          commands: acker,
          stream: config.stream,
          group: config.group,
          consumer: config.consumer,
          claimIdleMs: Math.min(...hs.map((h) => (h.config as RedisStreamConfig).claimIdleMs)),
          handle: fanOutAll(hs.map((h) => h.opened.handleAll)),
          logger: ctx.logger.child({ stream: config.stream, group: config.group, consumer: config.consumer }),
        });
        await consumer.start();
        parts.push(consumer);
        const commandsOfAddress = acker;
        ctx.reportLag(config.table, config.stream, () => streamLag(commandsOfAddress, config.stream, config.group));
        watchConnection(reader, status, 'consuming');
        ctx.logger.info(
          { redis: redactUrl(config.address), stream: config.stream, group: config.group, consumer: config.consumer },
          'consuming a stream in a consumer group: delivery is at least once',
        );
        lines.push(`redis stream ${config.stream} (group ${config.group}) -> ${labels(hs)}`);
      }
    }
  } catch (error) {
    await Promise.allSettled(parts.map((p) => p.drain()));
    await close();
    throw error;
  }

  return {
    describe: () => lines,
    drain: async () => {
      await Promise.allSettled(parts.map((p) => p.drain()));
    },
    close,
  };
}

function consumerKey(config: RedisStreamConfig): string {
  return JSON.stringify([config.stream, config.group, config.consumer]);
}

function labels(handlers: { opened: OpenedHandler }[]): string {
  return handlers.map((h) => h.opened.label).join(', ');
}

/** Two-level grouping, keeping the manifest's order. */
function groupBy<T>(items: T[], outer: (item: T) => string, inner: (item: T) => string): Map<string, Map<string, T[]>> {
  const groups = new Map<string, Map<string, T[]>>();
  for (const item of items) {
    const o = outer(item);
    const i = inner(item);
    const group = groups.get(o) ?? new Map<string, T[]>();
    groups.set(o, group);
    group.set(i, [...(group.get(i) ?? []), item]);
  }
  return groups;
}
