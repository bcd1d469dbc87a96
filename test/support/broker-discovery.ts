/**
 * Find a broker of each kind for the test run, in this order:
 * 1. the environment: REDIS_URL, AMQP_URL, KAFKA_BROKERS (comma-separated host:port);
 * 2. this machine: Redis on 127.0.0.1:6379 and RabbitMQ on 127.0.0.1:5672 when they
 *    answer, Kafka from librdkafka's mock cluster (compiled on demand);
 * 3. containers (testcontainers), only where a Docker socket exists.
 * A broker that cannot be had is reported with the reasons of every attempt.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrokerContext, Found, KafkaFound } from './broker-context.ts';
import { KAFKA_MOCK_POOL, poolTopic } from './broker-context.ts';
import { startKafkaMock } from './kafka-mock/start.ts';

export interface Discovery {
  context: BrokerContext;
  /** Stops what discovery started (the mock, containers, temporary files). */
  teardown(): Promise<void>;
}

type Cleanup = () => Promise<unknown>;

export async function discoverBrokers(env: NodeJS.ProcessEnv = process.env): Promise<Discovery> {
  const cleanups: Cleanup[] = [];
  const [redis, amqp, kafka] = await Promise.all([
    findRedis(env, cleanups),
    findAmqp(env, cleanups),
    findKafka(env, cleanups),
  ]);
  return {
    context: { redis, amqp, kafka },
    teardown: async () => {
      await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
    },
  };
}

async function findRedis(env: NodeJS.ProcessEnv, cleanups: Cleanup[]): Promise<Found<{ url: string }>> {
  if (env.REDIS_URL) return { ok: true, url: env.REDIS_URL, via: 'REDIS_URL' };
  // RESP: an inline PING is answered "+PONG".
  const local = await probe(6379, 'PING\r\n', (reply) => reply.startsWith('+PONG'));
  if (local === true) return { ok: true, url: 'redis://127.0.0.1:6379', via: 'local Redis on 127.0.0.1:6379' };
  return container('Redis', `no REDIS_URL; 127.0.0.1:6379: ${local}`, cleanups, async (c) => c.startRedis());
}

async function findAmqp(env: NodeJS.ProcessEnv, cleanups: Cleanup[]): Promise<Found<{ url: string }>> {
  if (env.AMQP_URL) return { ok: true, url: env.AMQP_URL, via: 'AMQP_URL' };
  // AMQP 0-9-1 section 4.2.2: the client sends "AMQP" 0 0 9 1; the server answers with a
  // method frame (type 1), Connection.Start.
  const local = await probe(5672, Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'), (reply) => reply.charCodeAt(0) === 1);
  if (local === true) {
    return { ok: true, url: 'amqp://guest:guest@127.0.0.1:5672', via: 'local RabbitMQ on 127.0.0.1:5672' };
  }
  return container('RabbitMQ', `no AMQP_URL; 127.0.0.1:5672: ${local}`, cleanups, async (c) => c.startRabbitMq());
}

async function findKafka(env: NodeJS.ProcessEnv, cleanups: Cleanup[]): Promise<Found<KafkaFound>> {
  if (env.KAFKA_BROKERS) return { ok: true, brokers: env.KAFKA_BROKERS.split(','), via: 'KAFKA_BROKERS' };
  let mockFailure: string;
  try {
    const claims = await mkdtemp(join(tmpdir(), 'spindle-kafka-topics-'));
    cleanups.push(() => rm(claims, { recursive: true, force: true }));
    const topics = Object.entries(KAFKA_MOCK_POOL).flatMap(([partitions, count]) =>
      Array.from({ length: count }, (_, n) => `${poolTopic(Number(partitions), n)}:${partitions}`),
    );
    const mock = await startKafkaMock({ topics });
    cleanups.push(() => mock.close());
    const sizes = Object.fromEntries(Object.entries(KAFKA_MOCK_POOL));
    return { ok: true, brokers: mock.brokers, via: 'librdkafka mock cluster', pool: { claims, sizes } };
  } catch (error) {
    mockFailure = error instanceof Error ? error.message : String(error);
  }
  const found = await container('Kafka', `no KAFKA_BROKERS; mock cluster: ${mockFailure}`, cleanups, async (c) =>
    c.startKafka(),
  );
  return found.ok ? { ok: true, brokers: [found.url], via: found.via } : found;
}

/** Start a container when Docker is there; else report `missing` (why nothing else worked). */
async function container(
  what: string,
  missing: string,
  cleanups: Cleanup[],
  start: (
    containers: typeof import('./containers.ts'),
  ) => Promise<{ url: string; container: { stop(): Promise<unknown> } }>,
): Promise<Found<{ url: string }>> {
  const containers = await import('./containers.ts');
  if (!containers.dockerAvailable()) return { ok: false, reason: `${missing}; no Docker socket for testcontainers` };
  try {
    const started = await start(containers);
    cleanups.push(() => started.container.stop());
    return { ok: true, url: started.url, via: `${what} container (testcontainers)` };
  } catch (error) {
    return { ok: false, reason: `${missing}; testcontainers: ${error instanceof Error ? error.message : error}` };
  }
}

/** Connect to 127.0.0.1:`port`, send `hello`, and check the first reply. True or why not. */
function probe(port: number, hello: string | Buffer, answers: (reply: string) => boolean): Promise<true | string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (result: true | string) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(2_000, () => done('no answer within 2 s'));
    socket.once('error', (error) => done(error.message));
    socket.once('connect', () => socket.write(hello));
    socket.once('data', (reply) => done(answers(reply.toString('latin1')) ? true : 'unexpected reply'));
  });
}
