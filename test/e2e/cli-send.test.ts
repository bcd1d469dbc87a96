import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode as decodeKafka } from '../../adapters/kafka/codec.ts';
import { decodeEntry } from '../../adapters/redis/codec.ts';
import { describeWithBroker, kafkaBrokers, kafkaTopic, redisUrl, uniqueName } from '../support/brokers.ts';
import { buildExampleTransform, runSpindle, type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

describe('spindle send to an HTTP target', () => {
  let target: SpindleProcess;

  beforeAll(async () => {
    const wasm = await buildExampleTransform();
    const dir = mkdtempSync(join(tmpdir(), 'spindle-send-'));
    writeFileSync(
      join(dir, 'spindle.toml'),
      `[application]\nname = "send"\n[[trigger.cloudevents]]\ncomponent = "transform"\n` +
        `[component.transform]\nsource = "${wasm}"\n[component.transform.variables]\nsuffix = ".sent"\n`,
    );
    target = await startSpindle(['-f', dir]);
  }, 180_000); // the example's first build (componentize) is slow on a loaded machine
  afterAll(() => target?.stop());

  it('prints the transformed event the target answers with (binary mode)', async () => {
    const sent = await runSpindle([
      'send',
      target.url.href,
      '--type',
      'io.demo',
      '--id',
      'e-1',
      '--subject',
      'order',
      '--extension',
      'tenant=acme',
      '--data',
      '{"n":1}',
    ]);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toEqual({
      specversion: '1.0',
      id: 'e-1',
      source: 'spin-app',
      type: 'io.demo.sent',
      datacontenttype: 'application/json',
      data: { n: 1, hello: 'wasm' },
    });
  });

  it('sends in structured mode, with a new id by default', async () => {
    const sent = await runSpindle(['send', target.url.href, '--type', 'io.demo', '--data', '{"n":2}', '--structured']);
    expect(sent.code).toBe(0);
    const reply = JSON.parse(sent.stdout);
    expect(reply.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.data).toEqual({ n: 2, hello: 'wasm' });
  });

  it("exits 1 with the target's reason when it refuses the event", async () => {
    const sent = await runSpindle(['send', target.url.href, '--type', 'io.demo', '--data', 'not json']);
    expect(sent.code).toBe(1);
    expect(sent.stderr).toMatch(/answered 400 Bad Request to event .*: .*data is not JSON/);
  });

  it('refuses an event that is not valid before sending it', async () => {
    const sent = await runSpindle(['send', target.url.href, '--type', 'io.demo', '--extension', 'Bad-Name=x']);
    expect(sent.code).toBe(1);
    expect(sent.stderr).toContain("extension 'Bad-Name' must be lower-case letters and digits only");
  });
});

describeWithBroker(['redis', 'kafka'], 'spindle send to a broker sink URI', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(redisUrl());
  });
  afterAll(() => redis?.disconnect());

  it('adds the event to a Redis stream', async () => {
    const stream = uniqueName('send');
    const uri = `${redisUrl()}?stream=${stream}`;
    const sent = await runSpindle(['send', uri, '--type', 'io.demo', '--id', 'r-1', '--data', '{"n":3}']);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toContain('Sent event r-1');
    const entries = await redis.xrange(stream, '-', '+');
    expect(entries).toHaveLength(1);
    const [entryId, fields] = entries[0] ?? ['', []];
    const decoded = decodeEntry(stream, entryId, fields);
    expect(decoded.ok && decoded.event).toMatchObject({ id: 'r-1', type: 'io.demo', source: 'spindle-cli' });
  });

  it('produces the event to a Kafka topic, in structured mode when asked', async () => {
    const topic = await kafkaTopic();
    const uri = `kafka://${kafkaBrokers().join(',')}/${topic}`;
    const sent = await runSpindle([
      'send',
      uri,
      '--type',
      'io.demo',
      '--id',
      'k-1',
      '--data',
      '{"n":4}',
      '--structured',
    ]);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);

    const kafka = new Kafka({ clientId: 'cli-send-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: uniqueName('group') });
    const received: unknown[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({ headers: message.headers, value: message.value?.toString() });
        const decoded = decodeKafka({ topic, partition, ...message });
        if (decoded.ok) received.push(decoded.event);
      },
    });
    await waitFor(() => received.length >= 2, { what: 'the event on the Kafka topic', timeoutMs: 30_000 });
    await consumer.disconnect();
    expect(received[1]).toMatchObject({ id: 'k-1', type: 'io.demo', datacontenttype: 'application/json' });
    expect(String((received[0] as { value: string }).value)).toContain('"specversion":"1.0"');
  });
});
