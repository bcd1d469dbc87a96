import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decode as decodeAmqp } from '../../adapters/amqp/codec.ts';
import { decode as decodeKafka, encode as encodeKafka } from '../../adapters/kafka/codec.ts';
import { encodeEntry } from '../../adapters/redis/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { amqpUrl, describeWithBroker, kafkaBrokers, kafkaTopic, redisUrl, uniqueName } from '../support/brokers.ts';
import { buildExampleTransform, type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function order(id: string, n: number): CloudEvent {
  return {
    id,
    source: '/shop',
    type: 'io.shop.order',
    specversion: '1.0',
    datacontenttype: 'application/json',
    extensions: {},
    data: new TextEncoder().encode(JSON.stringify({ n })),
  };
}

const transformed = (event: CloudEvent | undefined) => ({
  id: event?.id,
  type: event?.type,
  source: event?.source,
  data: JSON.parse(new TextDecoder().decode(event?.data)),
});

describeWithBroker(['kafka', 'amqp', 'redis'], 'spindle up between brokers', () => {
  let spindle: SpindleProcess;
  let kafka: Kafka;
  let redis: Redis;
  let amqpConnection: amqp.ChannelModel;
  let inTopic: string;
  let outTopic: string;
  let stream: string;
  let queue: string;

  beforeAll(async () => {
    await buildExampleTransform();
    kafka = new Kafka({ clientId: 'cross-broker-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    redis = new Redis(redisUrl());
    amqpConnection = await amqp.connect(amqpUrl());
    [inTopic, outTopic] = [await kafkaTopic(), await kafkaTopic()];
    stream = uniqueName('orders');
    queue = uniqueName('transformed');
    const exchange = uniqueName('events');
    const channel = await amqpConnection.createChannel();
    await channel.assertExchange(exchange, 'topic', { autoDelete: true });
    await channel.assertQueue(queue, { autoDelete: true });
    await channel.bindQueue(queue, exchange, 'orders.#');
    await channel.close();

    const [user, pass, host] = /^amqp:\/\/([^:]*):([^@]*)@([^/]*)/.exec(amqpUrl())?.slice(1) ?? [];
    const dir = mkdtempSync(join(tmpdir(), 'spindle-cross-'));
    const manifest = {
      application: { name: 'cross-broker' },
      variables: { suffix: { default: '.transformed' } },
      trigger: {
        kafka: [
          {
            brokers: kafkaBrokers(),
            topic: inTopic,
            group: uniqueName('group'),
            component: 'transform',
            sink: `amqp://${user}:${pass}@${host}/%2F?exchange=${exchange}&routing_key=orders.transformed`,
          },
        ],
        redis: [
          {
            address: redisUrl(),
            stream,
            group: uniqueName('group'),
            component: 'transform',
            // DESIGN's multi-host form; the mock has one broker, so it is named twice.
            sink: `kafka://${[...kafkaBrokers(), ...kafkaBrokers()].join(',')}/${outTopic}`,
          },
        ],
      },
      component: {
        transform: {
          source: join(ROOT, 'examples/transform/transform.wasm'),
          variables: { suffix: '{{ suffix }}' },
        },
      },
    };
    writeFileSync(join(dir, 'spindle.toml'), stringify(manifest));
    spindle = await startSpindle(['-f', dir, '--log-format', 'json']);
  });

  afterAll(async () => {
    await spindle?.stop();
    redis?.disconnect();
    await amqpConnection?.close();
  });

  it('answers the health route although the app has broker triggers only', async () => {
    const health = await fetch(new URL('/.well-known/spin/health', spindle.url));
    expect(health.status).toBe(200);
    expect(spindle.output()).toMatch(/kafka topic \S+ \(group \S+\) -> transform/);
    expect(spindle.output()).toMatch(/redis stream \S+ \(group \S+\) -> transform/);
  });

  it('takes an event from Kafka through the component to an AMQP exchange', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: inTopic, messages: [encodeKafka(order('k-1', 1), { mode: 'binary' })] });
    await producer.disconnect();

    const channel = await amqpConnection.createChannel();
    let message: amqp.GetMessage | false = false;
    await waitFor(
      async () => {
        message = await channel.get(queue, { noAck: true });
        return message !== false;
      },
      { what: 'the transformed event on the AMQP queue' },
    );
    const got = message as unknown as amqp.GetMessage;
    const decoded = decodeAmqp({ queue, content: got.content, fields: got.fields, properties: got.properties });
    expect(decoded.ok).toBe(true);
    expect(transformed(decoded.ok ? decoded.event : undefined)).toEqual({
      id: 'k-1',
      type: 'io.shop.order.transformed',
      source: 'spin-app',
      data: { n: 1, hello: 'wasm' },
    });
    await channel.close();
  });

  it('takes an event from a Redis stream through the component to a Kafka topic', async () => {
    await redis.xadd(stream, '*', ...encodeEntry(order('r-1', 2)));
    const consumer = kafka.consumer({ groupId: uniqueName('reader') });
    const received: CloudEvent[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: outTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const decoded = decodeKafka({ topic, partition, ...message });
        if (decoded.ok) received.push(decoded.event);
      },
    });
    try {
      await waitFor(() => received.length > 0, { what: 'the transformed event on the Kafka topic', timeoutMs: 30_000 });
      expect(transformed(received[0])).toEqual({
        id: 'r-1',
        type: 'io.shop.order.transformed',
        source: 'spin-app',
        data: { n: 2, hello: 'wasm' },
      });
    } finally {
      await consumer.disconnect();
    }
  });
});
