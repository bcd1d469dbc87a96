/**
 * The brokers the integration tests use are reachable through test/support/brokers.ts,
 * and each test's topic, queue or stream is its own.
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { expect, it } from 'vitest';
import { amqpUrl, describeWithBroker, kafkaBrokers, kafkaTopic, redisUrl, uniqueName } from '../support/brokers.ts';
import { waitFor } from '../support/wait.ts';

describeWithBroker('redis', 'Redis for tests', () => {
  it('adds to and reads back a stream of its own', async () => {
    const redis = new Redis(redisUrl(), { lazyConnect: true });
    await redis.connect();
    try {
      const stream = uniqueName('stream');
      await redis.xadd(stream, '*', 'event', 'hello');
      const entries = await redis.xrange(stream, '-', '+');
      expect(entries.map(([, fields]) => fields)).toEqual([['event', 'hello']]);
      await redis.del(stream);
    } finally {
      redis.disconnect();
    }
  });
});

describeWithBroker('amqp', 'RabbitMQ for tests', () => {
  it('publishes to and consumes from a queue of its own', async () => {
    const connection = await amqp.connect(amqpUrl());
    try {
      const channel = await connection.createChannel();
      const { queue } = await channel.assertQueue(uniqueName('queue'), { exclusive: true });
      channel.sendToQueue(queue, Buffer.from([0, 1, 2, 255]), { headers: { ce_id: 'x' } });
      const got: Buffer[] = [];
      await channel.consume(queue, (message) => {
        if (message) got.push(message.content);
      });
      await waitFor(() => got.length === 1, { what: 'the message back from RabbitMQ' });
      expect([...(got[0] ?? [])]).toEqual([0, 1, 2, 255]);
    } finally {
      await connection.close();
    }
  });
});

describeWithBroker('kafka', 'Kafka for tests', () => {
  const kafka = () => new Kafka({ clientId: 'spindle-tests', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });

  it('hands every test its own empty topic with the partitions asked for', async () => {
    const [a, b, three] = await Promise.all([kafkaTopic(), kafkaTopic(), kafkaTopic(3)]);
    expect(new Set([a, b, three]).size).toBe(3);
    const admin = kafka().admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [a, three] });
      const partitions = Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]));
      expect(partitions).toEqual({ [a]: 1, [three]: 3 });
      expect(await admin.fetchTopicOffsets(a)).toEqual([expect.objectContaining({ partition: 0, high: '0' })]);
    } finally {
      await admin.disconnect();
    }
  });

  it('produces, consumes in a group and commits offsets', async () => {
    const topic = await kafkaTopic(2);
    const groupId = uniqueName('group');
    const client = kafka();
    const producer = client.producer();
    const consumer = client.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
    const admin = client.admin();
    await Promise.all([producer.connect(), consumer.connect(), admin.connect()]);
    try {
      const sent = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: Buffer.from([i, 255]) }));
      await producer.send({ topic, messages: sent });
      const got: string[] = [];
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          got.push(`${message.key?.toString()}=${[...(message.value ?? [])]}`);
        },
      });
      await waitFor(() => got.length === sent.length, { what: 'every message consumed', timeoutMs: 30_000 });
      expect(got.sort()).toEqual(sent.map((m) => `${m.key}=${[...m.value]}`).sort());
      await consumer.stop(); // commits what was consumed
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const total = committed?.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
      expect(total).toBe(sent.length);
    } finally {
      await Promise.all([producer.disconnect(), consumer.disconnect(), admin.disconnect()]);
    }
  });
});
