/**
 * The brokers integration tests run against, as found by ./global-setup.ts (environment,
 * then local services and the Kafka mock, then testcontainers).
 *
 *   describeWithBroker('redis', 'redis trigger', () => {
 *     it('...', async () => { const redis = new Redis(redisUrl()); ... });
 *   });
 *
 * A missing broker skips its suites loudly (the suite name says why), or fails them when
 * CI=true: in CI a missing broker is a failure, not a skip.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { describe, inject } from 'vitest';
// The tests' own kafkajs clients too: without it Node 24 prints a TimeoutNegativeWarning in the test output.
import '../../adapters/kafka/quiet-request-queue.ts';
import type { BrokerContext, Found } from './broker-context.ts';
import { KAFKA_MOCK_AUTO_PARTITIONS, poolTopic } from './broker-context.ts';

export type BrokerKind = keyof BrokerContext;

export class BrokerUnavailableError extends Error {
  override name = 'BrokerUnavailableError';
}

function context(): BrokerContext {
  const provided = inject('spindleBrokers');
  if (provided === undefined) {
    throw new BrokerUnavailableError('no broker context: run the tests through vitest.config.ts (its globalSetup)');
  }
  return provided;
}

function found<K extends BrokerKind>(kind: K): Extract<BrokerContext[K], { ok: true }> {
  const result: Found<object> = context()[kind];
  if (!result.ok) throw new BrokerUnavailableError(`no ${kind} broker for the tests: ${result.reason}`);
  return result as Extract<BrokerContext[K], { ok: true }>;
}

/** Why `kind` is unavailable, or undefined when tests can use it. */
export function brokerMissing(kind: BrokerKind): string | undefined {
  const result = context()[kind];
  return result.ok ? undefined : result.reason;
}

/** `redis://host:port` */
export function redisUrl(): string {
  return found('redis').url;
}

/** `amqp://user:pass@host:port[/vhost]` */
export function amqpUrl(): string {
  return found('amqp').url;
}

/** Bootstrap servers, `host:port` each. */
export function kafkaBrokers(): string[] {
  return found('kafka').brokers;
}

/**
 * `describe` that runs only when every broker in `kinds` is available. Without one it is
 * skipped with the reason in its name and on stderr, or, with CI=true, throws.
 */
export function describeWithBroker(kinds: BrokerKind | BrokerKind[], name: string, body: () => void): void {
  const missing = [kinds]
    .flat()
    .map((kind) => [kind, brokerMissing(kind)] as const)
    .filter((entry): entry is readonly [BrokerKind, string] => entry[1] !== undefined)
    .map(([kind, reason]) => `${kind}: ${reason}`);
  describeIfAvailable(missing, 'no broker', name, body);
}

/**
 * `describe` when nothing is `missing` (broker, tool: what `what` names); otherwise skipped
 * with the reasons in its name and on stderr, or, with CI=true, a failure.
 */
export function describeIfAvailable(missing: string[], what: string, name: string, body: () => void): void {
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const why = missing.join('; ');
  if (process.env.CI === 'true') throw new BrokerUnavailableError(`${name}: ${what} in CI (${why})`);
  console.warn(`[spindle tests] SKIPPED "${name}": ${why}`);
  describe.skip(`${name} [SKIPPED, ${what}: ${why}]`, body);
}

/** A name no other test uses: for queues, exchanges, streams, channels, groups. */
export function uniqueName(prefix = 'spindle-test'): string {
  return `${prefix}-${randomUUID()}`;
}

/**
 * A Kafka topic of its own for one test, with `partitions` partitions (1 unless told),
 * empty and existing when this resolves. On a real broker it is created; on the mock
 * (which has no CreateTopics) it is claimed from the pool the setup created, or, for
 * the mock's default of 4 partitions, auto-created on first use.
 */
export async function kafkaTopic(partitions = 1): Promise<string> {
  const kafka = found('kafka');
  if (kafka.pool === undefined) return createTopic(kafka.brokers, partitions);
  if (partitions === KAFKA_MOCK_AUTO_PARTITIONS) return uniqueName('spindle-auto');
  const count = kafka.pool.sizes[String(partitions)];
  if (count === undefined) {
    throw new Error(
      `the Kafka mock has no ${partitions}-partition topics (it has ${Object.keys(kafka.pool.sizes).join(', ')} and ${KAFKA_MOCK_AUTO_PARTITIONS})`,
    );
  }
  for (let n = 0; n < count; n++) {
    const topic = poolTopic(partitions, n);
    try {
      closeSync(openSync(join(kafka.pool.claims, topic), 'wx'));
      return topic;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`the Kafka mock's ${count} topics of ${partitions} partitions are all used: grow KAFKA_MOCK_POOL`);
}

/**
 * Make sure the topic `name` exists, for an app whose topic name is fixed (a template's
 * `<project>-in`): created on a real broker; on the mock, created on first use.
 */
export async function ensureKafkaTopic(name: string): Promise<void> {
  const kafka = found('kafka');
  if (kafka.pool === undefined) await createTopic(kafka.brokers, 1, name);
}

async function createTopic(brokers: string[], partitions: number, topic = uniqueName()): Promise<string> {
  const admin = new Kafka({ clientId: 'spindle-tests', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  return topic;
}
