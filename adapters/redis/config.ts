/**
 * `[[trigger.redis]]` tables. Either a pub/sub channel (Spin's Redis trigger) or a Redis
 * Stream read by a consumer group (spindle's durable mode):
 *
 *   [application.trigger.redis]
 *   address = "redis://:{{ redis_password }}@127.0.0.1:6379"   # or rediss:// for TLS
 *
 *   [[trigger.redis]]
 *   channel = "messages"          # pub/sub: at most once, as in Spin
 *   component = "log-it"
 *
 *   [[trigger.redis]]
 *   stream = "orders"             # Streams: at least once, XACK after success
 *   group = "billing"             # default spindle-<app name>
 *   consumer = "worker-1"         # default <hostname>-<pid>
 *   claim_idle_ms = 60000         # a dead consumer's pending entries are claimed after this
 *   component = "transform"
 *   sink = "redis://127.0.0.1:6379?stream=orders-out"
 */
import { hostname } from 'node:os';
import { type AppConfig, parseRouteConfig, type RouteConfig, type TriggerTable } from '../../src/adapter.ts';
import { checkAddress } from './connection.ts';

interface CommonConfig extends RouteConfig {
  /** Where the table came from, for errors: `trigger.redis[0]`. */
  table: string;
  address: string;
  /** `type` of events wrapped around plain payloads. */
  messageType?: string;
  /** Whether `sink` / `dead_letter` were written in the table (K_SINK may add a sink). */
  declared: { sink: boolean; deadLetter: boolean };
}

export interface RedisChannelConfig extends CommonConfig {
  kind: 'channel';
  channel: string;
}

export interface RedisStreamConfig extends CommonConfig {
  kind: 'stream';
  stream: string;
  group: string;
  consumer: string;
  claimIdleMs: number;
}

export type RedisTriggerConfig = RedisChannelConfig | RedisStreamConfig;

/** Long enough that a live consumer's slow retries are not stolen, short enough to recover. */
export const DEFAULT_CLAIM_IDLE_MS = 60_000;
const STREAM_ONLY = ['group', 'consumer', 'claim_idle_ms'] as const;

export function parseRedisConfig(table: TriggerTable, app: AppConfig): RedisTriggerConfig {
  const route = parseRouteConfig(table);
  const address = table.optionalString('address');
  if (address === undefined) {
    throw table.error('address', 'is required: set it here or in [application.trigger.redis] address');
  }
  const problem = checkAddress(address);
  if (problem !== undefined) table.report('address', problem);
  const messageType = table.optionalString('message_type');
  const channel = table.optionalString('channel');
  const stream = table.optionalString('stream');
  const common: CommonConfig = {
    ...route,
    table: table.table,
    address,
    declared: { sink: route.sink !== undefined, deadLetter: route.deadLetter !== undefined },
    ...(messageType === undefined ? {} : { messageType }),
  };
  if (channel !== undefined && stream !== undefined) {
    throw table.error('stream', "set either 'channel' (pub/sub) or 'stream' (Redis Streams), not both");
  }
  if (channel !== undefined) {
    if (channel === '') table.report('channel', 'must not be empty');
    for (const field of STREAM_ONLY) {
      if (table.has(field)) table.report(field, "applies to a 'stream' only, not to a pub/sub 'channel'");
    }
    return { ...common, kind: 'channel', channel };
  }
  if (stream === undefined) {
    throw table.error('channel', "is required: set 'channel' (pub/sub) or 'stream' (Redis Streams)");
  }
  if (stream === '') table.report('stream', 'must not be empty');
  const group = table.optionalString('group') ?? `spindle-${app.name}`;
  const consumer = table.optionalString('consumer') ?? `${hostname()}-${process.pid}`;
  if (group === '') table.report('group', 'must not be empty');
  if (consumer === '') table.report('consumer', 'must not be empty');
  const claimIdleMs = table.optionalNumber('claim_idle_ms', { min: 1, integer: true }) ?? DEFAULT_CLAIM_IDLE_MS;
  return { ...common, kind: 'stream', stream, group, consumer, claimIdleMs };
}
