/**
 * The Kafka trigger and sink beyond the conformance suite: manifest and sink URI errors,
 * records that are not CloudEvents, committed offsets across a restart, a record that
 * cannot be processed holding its partition, and where a new group starts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../adapters/kafka/codec.ts';
import { parseSinkUri } from '../../adapters/kafka/sink.ts';
import { kafkaTrigger } from '../../adapters/kafka/trigger.ts';
import type { AppConfig } from '../../src/app/model.ts';
import { TriggerTable } from '../../src/app/table.ts';
import { describeWithBroker } from '../support/brokers.ts';
import { cleanupAfterEach } from '../support/cleanups.ts';
import { buildFixture } from '../support/fixtures.ts';
import { sampleValue, scrape } from '../support/prometheus-text.ts';
import { runSpindle, type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';
import { event } from './conformance/suite.ts';
import { createKafkaCase, type KafkaCase } from './kafka-harness.ts';

const app = { name: 'shop', file: '/apps/shop/spindle.toml', dir: '/apps/shop' } as AppConfig;

function parse(raw: Record<string, unknown>) {
  const table = new TriggerTable(app.file, 'trigger.kafka[0]', { component: 'transform', ...raw });
  const config = kafkaTrigger.parseConfig(table, app);
  table.done();
  return config;
}

describe('[[trigger.kafka]] fields', () => {
  it('reads brokers, topics and defaults the group, client id, start and concurrency', () => {
    const config = parse({ brokers: 'k1:9092, k2:9093', topics: ['a', 'b'] });
    expect(config).toMatchObject({
      topics: ['a', 'b'],
      group: 'spindle-shop',
      fromBeginning: true,
      concurrency: 4,
      connection: { brokers: ['k1:9092', 'k2:9093'], clientId: 'spindle-shop' },
    });
  });

  it('passes TLS and SASL through', () => {
    const config = parse({
      brokers: ['k1:9093'],
      topic: 'orders',
      ssl: { ca: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----', reject_unauthorized: false },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' },
    });
    expect(config.connection.ssl).toEqual({ ca: expect.stringContaining('BEGIN'), rejectUnauthorized: false });
    expect(config.connection.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  });

  it.each([
    [{ topic: 'orders' }, /\[trigger\.kafka\[0\]\] brokers: is required: set it here or once for the app/],
    [{ brokers: 'localhost', topic: 'orders' }, /brokers: expected host:port for every broker, got "localhost"/],
    [{ brokers: 'k:9092' }, /\[trigger\.kafka\[0\]\] topic: is required/],
    [{ brokers: 'k:9092', topic: 'a', topics: ['b'] }, /topics: give either 'topic' or 'topics', not both/],
    [{ brokers: 'k:9092', topic: 'no spaces' }, /topic: "no spaces" is not a Kafka topic name/],
    [{ brokers: 'k:9092', topic: 'a', from_beginning: 'yes' }, /from_beginning: expected true or false/],
    [{ brokers: 'k:9092', topic: 'a', ssl: 'on' }, /ssl: expected true, false or a table, got the string "on"/],
    [
      { brokers: 'k:9092', topic: 'a', ssl: { ca: 'missing.pem' } },
      /ssl\] ca: is neither PEM text nor a readable file/,
    ],
    [
      { brokers: 'k:9092', topic: 'a', sasl: { mechanism: 'gssapi', username: 'u', password: 'p' } },
      /sasl\] mechanism: expected one of plain, scram-sha-256, scram-sha-512, got "gssapi"/,
    ],
    [{ brokers: 'k:9092', topic: 'a', sasl: { mechanism: 'plain', username: 'u' } }, /sasl\] password: is required/],
    [{ brokers: 'k:9092', topic: 'a', concurrency: 0 }, /concurrency: must be at least 1/],
    [{ brokers: 'k:9092', topic: 'a', topicz: 'b' }, /unknown field 'topicz'/],
  ])('rejects %j naming the field', (raw, message) => {
    expect(() => parse(raw)).toThrow(message);
  });
});

describe('kafka:// sink URIs', () => {
  it('reads the topic, the mode, more brokers, TLS and SASL', () => {
    const options = parseSinkUri(
      new URL('kafka://u:p%40ss@k1:9093/orders-out?mode=structured&brokers=k2:9093&tls=true&sasl=scram-sha-256'),
    );
    expect(options).toMatchObject({
      topic: 'orders-out',
      mode: 'structured',
      connection: {
        brokers: ['k1:9093', 'k2:9093'],
        ssl: true,
        sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p@ss' },
      },
    });
    expect(parseSinkUri(new URL('kafka://k1/t')).connection.brokers).toEqual(['k1:9092']);
  });

  it.each([
    ['kafka://k1:9092/', /expected kafka:\/\/host:port\/topic/],
    ['kafka://k1:9092/t?mode=json', /mode must be binary or structured, got 'json'/],
    ['kafka://k1:9092/t?acks=1', /unknown option 'acks'/],
    ['kafka://u:secret@k1:9092/t', /has a user but no sasl mechanism/],
  ])('rejects %s with the reason', (uri, message) => {
    expect(() => parseSinkUri(new URL(uri))).toThrow(message);
  });

  it('hides the password in its errors', () => {
    expect(() => parseSinkUri(new URL('kafka://u:secret@k1:9092/t?mode=x'))).toThrow(/u:\*\*\*@k1/);
  });
});

describeWithBroker('kafka', 'kafka trigger and sink on a broker', () => {
  let wasm: string;
  const cleanups = cleanupAfterEach();

  beforeAll(async () => {
    wasm = await buildFixture('behaviours');
  });

  async function setup(partitions = 1, fields: Record<string, unknown> = {}): Promise<KafkaCase> {
    const broker = await createKafkaCase({ partitions, fields });
    cleanups.push(() => broker.close());
    return broker;
  }

  function manifest(broker: KafkaCase, trigger: Record<string, unknown> = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'spindle-kafka-'));
    const { brokers, ...fields } = broker.trigger.fields;
    writeFileSync(
      join(dir, 'spindle.toml'),
      stringify({
        spin_manifest_version: 2,
        application: { name: 'kafka-test', trigger: { kafka: { brokers } } },
        trigger: {
          kafka: [
            {
              ...fields,
              component: 'behaviours',
              sink: broker.sink,
              retry: { attempts: 2, backoff_ms: 20, max_delay_ms: 100 },
              ...trigger,
            },
          ],
        },
        component: { behaviours: { source: wasm } },
      }),
    );
    return dir;
  }

  async function spindle(dir: string): Promise<SpindleProcess> {
    const process = await startSpindle(['-f', dir, '--log-format', 'json']);
    cleanups.push(() => process.stop('SIGKILL'));
    return process;
  }

  it('says what it consumes in the banner, and exits with the field when the manifest is wrong', async () => {
    const broker = await setup();
    const running = await spindle(manifest(broker));
    expect(running.output()).toContain(`kafka topic ${broker.topic} (group ${broker.group}) -> behaviours`);
    const bad = await runSpindle(['up', '--listen', '127.0.0.1:0', '-f', manifest(broker, { topic: 'bad topic' })]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/\[trigger\.kafka\[0\]\] topic: "bad topic" is not a Kafka topic name/);
  });

  it('turns a record that is not a CloudEvent into an event with a stable id and message_type', async () => {
    const broker = await setup(1, { message_type: 'test.echo' });
    await spindle(manifest(broker));
    await broker.publishRecords([
      { key: 'order-7', value: Buffer.from('plain text'), headers: { 'content-type': 'text/plain' } },
    ]);
    await waitFor(async () => (await broker.sinkEvents()).length === 1, { what: 'the wrapped record at the sink' });
    const [wrapped] = await broker.sinkEvents();
    expect(wrapped).toMatchObject({
      id: `${broker.topic}-0-0`,
      source: `kafka://${broker.topic}`,
      type: 'test.echo',
      datacontenttype: 'text/plain',
      extensions: { partitionkey: 'order-7' },
    });
    expect(Buffer.from(wrapped?.data ?? []).toString()).toBe('plain text');
  });

  it('keeps each binary-mode record key through a component that drops extensions, in order per key', async () => {
    const broker = await setup(3);
    await spindle(manifest(broker));
    // Text keys, and keys no CloudEvents String can hold (a control character, not UTF-8).
    const keys = ['alice', 'bob', 'a\nb', 'a\u0000b'].map((key) => Buffer.from(key)).concat(Buffer.from([0xff, 0x01]));
    // Interleaved across keys, so that order per key is not order overall. `test.bare`
    // returns no extensions, as examples/transform does: the key survives it by default.
    const sent = Array.from({ length: 8 }, (_, i) =>
      keys.map((key, k) => ({ key, event: event(`k${k}-${i}`, 'test.bare') })),
    ).flat();
    await broker.publishRecords(sent.map(({ key, event }) => encode(event, { mode: 'binary', key })));
    await waitFor(async () => (await broker.sinkEvents()).length >= sent.length, { what: 'every keyed event' });
    const received = await broker.sinkRecords();
    expect(received).toHaveLength(sent.length);
    expect(received.every(({ event }) => event.extensions.seq === undefined)).toBe(true);
    for (const key of keys) {
      const ofKey = received.filter((record) => record.key?.equals(key)).map((record) => record.event.id);
      expect(ofKey).toEqual(sent.filter((record) => record.key.equals(key)).map((record) => record.event.id));
    }
    const [text] = received.filter(({ key }) => key?.equals(Buffer.from('alice')));
    expect(text?.event.extensions).toMatchObject({ partitionkey: 'alice' });
    const [bytes] = received.filter(({ key }) => key?.equals(Buffer.from([0xff, 0x01])));
    expect(bytes?.event.extensions).toMatchObject({ spindlekeybase64: '/wE=' });
    expect(bytes?.event.extensions.partitionkey).toBeUndefined();
  });

  it('commits on a graceful stop and resumes from the committed offset, with no duplicates', async () => {
    const broker = await setup(3);
    const dir = manifest(broker);
    const first = await spindle(dir);
    const before = Array.from({ length: 30 }, (_, i) => event(`before-${i}`));
    await broker.publish(before);
    await waitFor(async () => (await broker.sinkEvents()).length >= before.length, { what: 'the first events' });
    expect(await first.stop('SIGTERM')).toBe(0);
    const after = Array.from({ length: 30 }, (_, i) => event(`after-${i}`));
    await broker.publish(after);
    await spindle(dir);
    await waitFor(async () => (await broker.sinkEvents()).length >= before.length + after.length, {
      what: 'the events published while spindle was down',
    });
    const ids = (await broker.sinkEvents()).map((e) => e.id);
    expect(ids.sort()).toEqual([...before, ...after].map((e) => e.id).sort());
    const committed = [...(await broker.committed()).values()].reduce((sum, offset) => sum + offset, 0n);
    expect(committed).toBe(BigInt(before.length + after.length));
  });

  it('holds a partition at a record it cannot process, retrying it, and never skips past it', async () => {
    const broker = await setup(1);
    const first = await spindle(manifest(broker));
    await broker.publish([event('stuck-1', 'test.retry'), event('next-2')]);
    await waitFor(() => (first.output().match(/is tried again in/g) ?? []).length >= 3, {
      what: 'three warnings that the record stays in Kafka',
    });
    expect(await broker.sinkEvents()).toEqual([]);
    expect((await broker.committed()).get(0) ?? -1n).toBeLessThanOrEqual(0n);
    await first.stop('SIGTERM');
    // With a dead-letter sink the record goes there, and the partition moves on in order.
    await spindle(manifest(broker, { dead_letter: broker.deadLetter }));
    await waitFor(async () => (await broker.sinkEvents()).length === 1, { what: 'the event after the stuck one' });
    expect((await broker.deadLetters()).map((e) => e.id)).toEqual(['stuck-1']);
    expect((await broker.sinkEvents()).map((e) => e.id)).toEqual(['next-2']);
  });

  it("reports its group's lag on the topic: the records held behind one it cannot process", async () => {
    const broker = await setup(1);
    const running = await spindle(manifest(broker));
    const lag = async () =>
      sampleValue(await scrape(new URL('/metrics', running.url)), 'spindle_consumer_lag', {
        trigger: 'kafka[0]',
        destination: broker.topic,
      });
    expect(await lag()).toBe(0);
    await broker.publish([event('done-0'), event('stuck-1', 'test.retry'), event('behind-2')]);
    await waitFor(async () => (await broker.sinkEvents()).length === 1, { what: 'the event before the stuck one' });
    await waitFor(async () => (await lag()) === 2, { what: 'a lag of 2: the stuck record and the one behind it' });
  });

  it('with from_beginning = false, a new group skips what came before and takes all after "Serving"', async () => {
    const broker = await setup(2, { from_beginning: false });
    await broker.publish([event('old-1'), event('old-2')]);
    await spindle(manifest(broker));
    await broker.publish([event('new-1')]);
    await waitFor(async () => (await broker.sinkEvents()).length >= 1, { what: 'the event published after start' });
    await broker.publish([event('new-2', 'test.echo')]);
    await waitFor(async () => (await broker.sinkEvents()).length >= 2, { what: 'the second new event' });
    expect((await broker.sinkEvents()).map((e) => e.id).sort()).toEqual(['new-1', 'new-2']);
  });
});
