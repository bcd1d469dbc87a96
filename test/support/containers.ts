/**
 * Brokers in containers (testcontainers), for machines that run Docker but have no local
 * Redis, RabbitMQ or librdkafka. Imported lazily: only when a Docker socket exists.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';

export interface Started {
  readonly url: string;
  readonly container: StartedTestContainer;
}

/** Is a container runtime reachable without guessing (DOCKER_HOST or the default socket)? */
export function dockerAvailable(): boolean {
  return process.env.DOCKER_HOST !== undefined || existsSync('/var/run/docker.sock');
}

export async function startRedis(): Promise<Started> {
  const container = await new GenericContainer('redis:7-alpine')
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .start();
  return { url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`, container };
}

export async function startRabbitMq(): Promise<Started> {
  const container = await new GenericContainer('rabbitmq:3.13-alpine')
    .withExposedPorts(5672)
    .withWaitStrategy(Wait.forLogMessage('Server startup complete'))
    .withStartupTimeout(120_000)
    .start();
  return { url: `amqp://guest:guest@${container.getHost()}:${container.getMappedPort(5672)}`, container };
}

/**
 * A single-node KRaft Kafka. Kafka advertises its own address to clients, so the host
 * port is chosen (free, random) before the container starts and advertised as is.
 */
export async function startKafka(): Promise<Started> {
  const port = await freePort();
  const container = await new GenericContainer('apache/kafka:3.8.0')
    .withExposedPorts({ container: 9092, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
  return { url: `127.0.0.1:${port}`, container };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
