import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEntry } from '../../adapters/redis/codec.ts';
import { AmqpTestBroker } from '../integration/amqp-broker.ts';
import { describeWithBroker, kafkaBrokers, kafkaTopic, redisUrl, uniqueName } from '../support/brokers.ts';
import { readKafkaTopic } from '../support/kafka-reader.ts';
import { type RequestRecorder, startRequestRecorder } from '../support/request-recorder.ts';
import { ALL_BYTES } from '../support/sample-event.ts';
import { buildExampleTransform, runSpindle, type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

/** A file holding every byte value once: not UTF-8, so only a byte-exact path carries it. */
function binaryDataFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'spindle-send-data-')), 'all-bytes.bin');
  writeFileSync(file, ALL_BYTES);
  return file;
}

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

    const reader = await readKafkaTopic(topic);
    try {
      await waitFor(() => reader.events.length === 1, { what: 'the event on the Kafka topic', timeoutMs: 30_000 });
    } finally {
      await reader.close();
    }
    expect(reader.events[0]).toMatchObject({ id: 'k-1', type: 'io.demo', datacontenttype: 'application/json' });
    expect(reader.records[0]?.value?.toString()).toContain('"specversion":"1.0"');
  });
});

describe('spindle send over HTTP, as the receiver sees the request', () => {
  let receiver: RequestRecorder;
  beforeAll(async () => {
    receiver = await startRequestRecorder();
  });
  afterAll(() => receiver?.close());

  /** Send to the receiver; the one request it got. */
  async function sendToReceiver(args: string[]) {
    const before = receiver.requests.length;
    const sent = await runSpindle(['send', receiver.url, '--type', 'io.demo', ...args]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(receiver.requests).toHaveLength(before + 1);
    return { sent, request: receiver.requests[before] ?? expect.unreachable() };
  }

  it('sends binary mode by default: every attribute and extension a ce- header, the data the body', async () => {
    const { sent, request } = await sendToReceiver([
      '--id',
      'h-1',
      '--subject',
      'order',
      '--extension',
      'tenant=acme',
      '--extension',
      'region=eu',
      '--data',
      '{"n":1}',
    ]);
    expect(sent.stderr).toBe('Sent event h-1: accepted, no event in reply\n');
    expect(request.method).toBe('POST');
    expect(request.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': 'h-1',
      'ce-source': 'spindle-cli',
      'ce-type': 'io.demo',
      'ce-subject': 'order',
      'ce-tenant': 'acme',
      'ce-region': 'eu',
      'content-type': 'application/json',
    });
    expect(request.body.toString()).toBe('{"n":1}');
  });

  it('sends structured mode when asked: the attributes in a JSON body, no ce- headers', async () => {
    const { request } = await sendToReceiver([
      '--id',
      'h-2',
      '--extension',
      'tenant=acme',
      '--data',
      '{"n":2}',
      '--structured',
    ]);
    expect(request.headers['content-type']).toMatch(/^application\/cloudevents\+json(;|$)/);
    expect(Object.keys(request.headers).filter((name) => name.startsWith('ce-'))).toEqual([]);
    expect(JSON.parse(request.body.toString())).toEqual({
      specversion: '1.0',
      id: 'h-2',
      source: 'spindle-cli',
      type: 'io.demo',
      tenant: 'acme',
      datacontenttype: 'application/json',
      data: { n: 2 },
    });
  });

  it('sends the bytes of --data-file exactly, as application/octet-stream when they are not text', async () => {
    const file = binaryDataFile();
    const binary = await sendToReceiver(['--id', 'h-3', '--data-file', file]);
    expect(binary.request.headers['content-type']).toBe('application/octet-stream');
    expect(binary.request.body.equals(Buffer.from(ALL_BYTES))).toBe(true);

    // Structured: the JSON Event Format carries bytes that are not text as data_base64.
    const structured = await sendToReceiver(['--id', 'h-4', '--data-file', file, '--structured']);
    const body = JSON.parse(structured.request.body.toString());
    expect(body).toMatchObject({ id: 'h-4', datacontenttype: 'application/octet-stream' });
    expect(Buffer.from(body.data_base64, 'base64').equals(Buffer.from(ALL_BYTES))).toBe(true);
  });

  it('refuses --data with --data-file, and a --data-file it cannot read', async () => {
    const both = await runSpindle(['send', receiver.url, '--type', 't', '--data', 'x', '--data-file', 'y']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('give either --data or --data-file, not both');
    const missing = join(tmpdir(), 'spindle-no-such-data-file');
    const unreadable = await runSpindle(['send', receiver.url, '--type', 't', '--data-file', missing]);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain(`cannot read --data-file ${missing}: ENOENT`);
  });
});

describeWithBroker('amqp', 'spindle send to an amqp:// sink URI', () => {
  let broker: AmqpTestBroker;
  beforeAll(async () => {
    broker = await AmqpTestBroker.connect();
  });
  afterAll(() => broker?.close());

  /** `spindle send` to a queue of its own through the default exchange: the output, and what arrived. */
  async function sendToQueue(args: string[]) {
    const queue = await broker.queue();
    const collected = await broker.collect(queue);
    const sent = await runSpindle(['send', broker.sinkUri(queue), '--type', 'io.demo', ...args]);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    await waitFor(() => collected.messages.length === 1, { what: `the event in queue ${queue}` });
    return { sent, message: collected.messages[0] ?? expect.unreachable(), events: collected.events() };
  }

  it('publishes the event to the queue in binary mode: attributes as headers, the data file as the body, byte-exact', async () => {
    const file = binaryDataFile();
    const args = ['--id', 'a-1', '--subject', 'order', '--extension', 'tenant=acme', '--data-file', file];
    const { sent, message, events } = await sendToQueue(args);
    expect(sent.stdout).toMatch(/^Sent event a-1 to amqp:\/\/[^\n]*routing_key=/);
    expect(sent.stdout).not.toContain('guest:guest');
    expect(message.content.equals(Buffer.from(ALL_BYTES))).toBe(true);
    expect(message.properties).toMatchObject({ contentType: 'application/octet-stream', messageId: 'a-1' });
    expect(message.properties.headers).toMatchObject({
      specversion: '1.0',
      id: 'a-1',
      source: 'spindle-cli',
      type: 'io.demo',
      subject: 'order',
      tenant: 'acme',
    });
    expect(events).toEqual([
      {
        specversion: '1.0',
        id: 'a-1',
        source: 'spindle-cli',
        type: 'io.demo',
        subject: 'order',
        datacontenttype: 'application/octet-stream',
        extensions: { tenant: 'acme' },
        data: ALL_BYTES,
      },
    ]);
  });

  it('publishes in structured mode when asked', async () => {
    const { message, events } = await sendToQueue(['--id', 'a-2', '--data', '{"n":5}', '--structured']);
    expect(message.properties.contentType).toMatch(/^application\/cloudevents\+json(;|$)/);
    expect(JSON.parse(message.content.toString())).toMatchObject({ id: 'a-2', data: { n: 5 } });
    expect(events).toMatchObject([{ id: 'a-2', type: 'io.demo', datacontenttype: 'application/json' }]);
  });
});
