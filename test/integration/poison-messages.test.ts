/**
 * Poison messages in front of good ones, through `spindle up`: one that is not a
 * CloudEvent and has a timestamp past JavaScript's Date range, one whose attribute holds
 * a CR/LF. With a dead_letter sink each is dead-lettered at once (one attempt) with a
 * reason naming the field, and the good ones behind it arrive; without one it stays in
 * the broker, the reason is logged, and spindle keeps running.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { beforeAll, expect, it } from 'vitest';
import { amqpUrl, describeWithBroker } from '../support/brokers.ts';
import { cleanupAfterEach } from '../support/cleanups.ts';
import { buildFixture } from '../support/fixtures.ts';
import { type SpindleProcess, startSpindleApp } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';
import { AmqpTestBroker } from './amqp-broker.ts';
import { event } from './conformance/suite.ts';
import { createKafkaCase, type KafkaCase } from './kafka-harness.ts';

const GOOD = ['good-1', 'good-2', 'good-3'];
const RETRY = { attempts: 2, backoff_ms: 20, max_delay_ms: 100 };

let wasm: string;
const cleanups = cleanupAfterEach();

beforeAll(async () => {
  wasm = await buildFixture('behaviours');
}, 120_000);

function appDir(type: 'kafka' | 'amqp', trigger: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), `spindle-poison-${type}-`));
  const manifest = {
    application: { name: `poison-${type}` },
    trigger: { [type]: [{ component: 'behaviours', retry: RETRY, ...trigger }] },
    component: { behaviours: { source: wasm } },
  };
  writeFileSync(join(dir, 'spindle.toml'), stringify(manifest));
  return dir;
}

const spindle = (dir: string): Promise<SpindleProcess> => startSpindleApp(dir, cleanups);

describeWithBroker('kafka', 'kafka: a poison record with a timestamp past the Date range', () => {
  async function setup(): Promise<KafkaCase> {
    const broker = await createKafkaCase({ partitions: 1 });
    cleanups.push(() => broker.close());
    await broker.publishRecords([{ value: Buffer.from('poison'), timestamp: '9007199254740991' }]);
    await broker.publish(GOOD.map((id) => event(id)));
    return broker;
  }

  it('with a dead_letter sink: dead-lettered at once naming the field, the records behind it arrive', async () => {
    const broker = await setup();
    const running = await spindle(
      appDir('kafka', { ...broker.trigger.fields, sink: broker.sink, dead_letter: broker.deadLetter }),
    );
    // Records of one partition are handled in a batch, so the dead letter's own write may
    // finish after the good records reached the sink: wait for both.
    await waitFor(
      async () => (await broker.sinkEvents()).length === GOOD.length && (await broker.deadLetters()).length === 1,
      { what: 'the good records and the dead letter' },
    );
    expect((await broker.sinkEvents()).map((e) => e.id)).toEqual(GOOD);
    const [dead] = await broker.deadLetters();
    expect(dead?.extensions.deadletterreason).toContain(
      "field 'timestamp' (9007199254740991 ms) is beyond the latest time",
    );
    expect(dead?.extensions.deadletterattempts).toBe('1');
    expect(Buffer.from(dead?.data ?? []).toString()).toBe('poison');
    expect(running.child.exitCode).toBeNull();
  });

  it('without one: the record stays in Kafka with the reason logged, and spindle keeps running', async () => {
    const broker = await setup();
    const running = await spindle(appDir('kafka', { ...broker.trigger.fields, sink: broker.sink }));
    await waitFor(() => (running.output().match(/field 'timestamp'.*stays in Kafka/g) ?? []).length >= 2, {
      what: 'the record held back twice, with its reason',
    });
    expect(running.output()).not.toContain('Invalid time value');
    expect((await broker.committed()).get(0) ?? -1n).toBeLessThanOrEqual(0n);
    expect(running.child.exitCode).toBeNull();
  });
});

describeWithBroker('amqp', 'amqp: poison messages', () => {
  async function setup() {
    const broker = await AmqpTestBroker.connect();
    cleanups.push(() => broker.close());
    const [queue, sinkQueue, deadQueue] = await Promise.all([broker.queue(), broker.queue(), broker.queue()]);
    const sink = await broker.collect(sinkQueue);
    const dead = await broker.collect(deadQueue);
    await broker.publishRaw(queue, Buffer.from('poison'), { messageId: 'poison-1', timestamp: 9e15, persistent: true });
    await broker.publish(
      queue,
      GOOD.map((id) => event(id)),
    );
    return { broker, queue, sink, dead, sinkUri: broker.sinkUri(sinkQueue), deadUri: broker.sinkUri(deadQueue) };
  }

  it('with a dead_letter sink: dead-lettered at once naming the property, the messages behind it arrive', async () => {
    const { queue, sink, dead, sinkUri, deadUri } = await setup();
    await spindle(appDir('amqp', { url: amqpUrl(), queue, sink: sinkUri, dead_letter: deadUri }));
    await waitFor(() => sink.messages.length === GOOD.length && dead.messages.length === 1, {
      what: 'the good messages and the dead letter',
    });
    expect(
      sink
        .events()
        .map((e) => e.id)
        .sort(),
    ).toEqual(GOOD);
    const [letter] = dead.events();
    expect(letter?.id).toBe('poison-1');
    expect(letter?.extensions.deadletterreason).toContain("property 'timestamp' (9000000000000000 s) is beyond");
    expect(Buffer.from(letter?.data ?? []).toString()).toBe('poison');
  });

  it('an attribute with CR/LF: dead-lettered at once (one attempt), the messages behind it arrive', async () => {
    const { broker, queue, sink, dead, sinkUri, deadUri } = await setup();
    const headers = { specversion: '1.0', id: 'crlf-1', source: '/poison', type: 'test.echo', subject: 'a\r\nb' };
    await broker.publishRaw(queue, Buffer.from('x'), { headers, persistent: true });
    await spindle(appDir('amqp', { url: amqpUrl(), queue, sink: sinkUri, dead_letter: deadUri }));
    await waitFor(() => sink.messages.length === GOOD.length && dead.messages.length === 2, {
      what: 'the good messages and two dead letters',
    });
    // The message is dead-lettered wrapped (its bytes as data), the reason naming the attribute.
    const letter = dead.events().find((e) => e.extensions.deadletterreason?.includes("'subject'"));
    expect(letter?.extensions.deadletterreason).toContain(
      `amqp message on queue ${queue}: invalid CloudEvent: attribute 'subject' contains the control character U+000D`,
    );
    expect(letter?.extensions.deadletterattempts).toBe('1');
    expect(Buffer.from(letter?.data ?? []).toString()).toBe('x');
  });

  it('without one: requeued with the reason logged, the messages behind it arrive, spindle keeps running', async () => {
    const { broker, queue, sink, sinkUri } = await setup();
    const running = await spindle(appDir('amqp', { url: amqpUrl(), queue, sink: sinkUri }));
    await waitFor(() => sink.messages.length === GOOD.length, { what: 'the good messages' });
    await waitFor(
      () => (running.output().match(/property 'timestamp'.*requeued so that it is not lost/g) ?? []).length >= 2,
      {
        what: 'the poison message requeued twice, with its reason',
      },
    );
    expect(running.child.exitCode).toBeNull();
    expect(await running.stop('SIGTERM')).toBe(0);
    expect(await broker.depth(queue)).toBe(1);
  });
});
