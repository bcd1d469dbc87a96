/**
 * Malformed input in front of good events, on each transport: bad JSON, invalid
 * attributes, bytes that are not UTF-8 in fields and headers, odd AMQP header types, a
 * timestamp past the Date range, JSON deeper than max_json_depth. With a dead-letter sink
 * each poison message is dead-lettered with a reason naming the field; without one it
 * stays in the broker (Kafka: holding back the partition behind it). On HTTP each is
 * refused with a 4xx naming the field or limit, and a body at max_body_bytes passes.
 */
import type { Message } from 'kafkajs';
import { expect, it } from 'vitest';
import type { CloudEvent } from '../../src/event.ts';
import { event } from '../integration/conformance/suite.ts';
import { describeWithBroker } from '../support/brokers.ts';
import { postEvent } from '../support/post-event.ts';
import { exchange, requestHead, statusOf } from '../support/raw-http.ts';
import { waitFor } from '../support/wait.ts';
import { type FaultApp, faultApp } from './support/fault-app.ts';
import { faultFile } from './support/fault-file.ts';
import { ReplyTally, startTarget } from './support/http-target.ts';
import {
  type AmqpSource,
  amqpSource,
  type FaultSource,
  type KafkaSource,
  kafkaSource,
  type RedisSource,
  redisSource,
} from './support/sources.ts';

const { table, cleanups, behaviours } = faultFile('malformed input in front of good events');

const GOOD = 100;
const good = (prefix: string): CloudEvent[] => Array.from({ length: GOOD }, (_, i) => event(`${prefix}-${i}`));
/** Deeper than the default max_json_depth (64) that broker codecs apply. */
const DEEP = `{"specversion": "1.0", "id": "deep", "source": "/p", "type": "t", "data": ${'['.repeat(100)}${']'.repeat(100)}}`;
const valid = { specversion: '1.0', source: '/poison', type: 'test.echo' };

/** A transport's poison messages: `publish` sends them and gives, for each, what its dead letter's reason must say. */
interface Poison<S extends FaultSource> {
  publish(source: S): Promise<RegExp[]>;
}

const redisPoison: Poison<RedisSource> = {
  async publish(source) {
    const entries: [(string | Buffer)[], RegExp][] = [
      [['event', '{"specversion": "1.0", "id": '], /malformed JSON in field 'event'/],
      [['event', JSON.stringify({ ...valid, id: 'r-no-source', source: undefined })], /'source'/],
      [['event', JSON.stringify({ ...valid, id: 'r-crlf', subject: 'a\r\nb' })], /'subject' contains the control/],
      [['event', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])], /field 'event' is not UTF-8 text/],
      [['note', Buffer.from([0xff, 0xfe])], /field 'note' is not UTF-8 text/],
      [['event', DEEP], /max_json_depth = 64/],
    ];
    const reasons: RegExp[] = [];
    for (const [fields, reason] of entries) {
      await source.publishFields(fields);
      reasons.push(reason);
    }
    return reasons;
  },
};

const kafkaPoison: Poison<KafkaSource> = {
  async publish(source) {
    const structured = { 'content-type': 'application/cloudevents+json' };
    const records: [Message, RegExp][] = [
      [{ value: '{"specversion": "1.0", "id": ', headers: structured }, /malformed structured event/],
      [{ value: 'x', headers: { ce_specversion: '1.0', ce_id: 'k-no-source', ce_type: 't' } }, /'source'/],
      [
        {
          value: 'x',
          headers: {
            ce_specversion: '1.0',
            ce_id: 'k-bytes',
            ce_source: '/p',
            ce_type: 't',
            ce_subject: Buffer.from([0xff]),
          },
        },
        /ce_subject/,
      ],
      [{ value: 'poison', timestamp: '9007199254740991' }, /field 'timestamp' \(9007199254740991 ms\) is beyond/],
      [{ value: DEEP, headers: structured }, /max_json_depth = 64/],
    ];
    await source.publishRecords(records.map(([record]) => record));
    return records.map(([, reason]) => reason);
  },
};

const amqpPoison: Poison<AmqpSource> = {
  async publish(source) {
    const headers = (id: string, more: Record<string, unknown>) => ({
      messageId: id,
      headers: { ...valid, id, ...more },
    });
    const messages: [string, Parameters<typeof source.broker.publishRaw>[2], RegExp][] = [
      [
        '{"specversion": "1.0", "id": ',
        { messageId: 'a-bad-json', contentType: 'application/cloudevents+json' },
        /malformed structured event/,
      ],
      ['x', headers('a-crlf', { subject: 'a\r\nb' }), /'subject' contains the control character U\+000D/],
      ['x', headers('a-table', { source: { nested: 'table' } }), /header 'source' is not a string/],
      ['x', headers('a-array', { type: ['a', 'b'] }), /header 'type' is not a string/],
      ['x', headers('a-bytes', { subject: Buffer.from([0xff, 0xfe]) }), /'subject'/],
      [
        'poison',
        { messageId: 'a-timestamp', timestamp: 9e15 },
        /property 'timestamp' \(9000000000000000 s\) is beyond/,
      ],
      [DEEP, { messageId: 'a-deep', contentType: 'application/cloudevents+json' }, /max_json_depth = 64/],
    ];
    for (const [content, options] of messages) {
      await source.broker.publishRaw(source.queue, Buffer.from(content), { ...options, persistent: true });
    }
    return messages.map(([, , reason]) => reason);
  },
};

/** Every dead letter's reason matches one of `reasons`, each reason used once. */
function expectReasons(app: FaultApp, reasons: RegExp[]): void {
  const given = app.dead.events.map((e) => e.extensions.deadletterreason ?? '');
  for (const reason of reasons) {
    const at = given.findIndex((text) => reason.test(text));
    expect(at, `no dead letter's reason matches ${reason}:\n${given.join('\n')}`).toBeGreaterThanOrEqual(0);
    given.splice(at, 1);
  }
  expect(given).toEqual([]);
}

async function withDeadLetter<S extends FaultSource>(name: string, source: S, poison: Poison<S>): Promise<void> {
  const app = await faultApp({ source, wasm: behaviours() }, cleanups);
  const reasons = await poison.publish(source);
  const sent = good(`${source.type}-good`);
  await source.publish(sent);
  await app.start();
  await app.settle(reasons.length + GOOD);
  const row = table.record(`malformed, dead_letter: ${name}`, await app.tally(sent, { sent: reasons.length + GOOD }));
  expect(row.delivered).toBe(GOOD);
  for (const letter of app.dead.events) expect(letter.extensions.deadletterattempts).toBe('1');
  expectReasons(app, reasons);
}

/** Without a dead-letter sink: wait for the good events that can pass, and for the poison's reasons in the log. */
async function withoutDeadLetter<S extends FaultSource>(
  name: string,
  source: S,
  poison: Poison<S>,
  options: { passes: boolean; heldBack: RegExp },
): Promise<void> {
  const app = await faultApp({ source, wasm: behaviours(), deadLetter: false }, cleanups);
  const reasons = await poison.publish(source);
  const sent = good(`${source.type}-held`);
  await source.publish(sent);
  await app.start();
  if (options.passes) await app.settle(GOOD);
  const heldBack = () => [...app.spindle.output().matchAll(new RegExp(options.heldBack.source, 'g'))].length;
  await waitFor(() => heldBack() >= 2, {
    what: `the poison held back, twice, with its reason (${options.heldBack})`,
    timeoutMs: 30_000,
  });
  const row = table.record(
    `malformed, no dead_letter: ${name}`,
    await app.tally(sent, { sent: reasons.length + GOOD }),
  );
  expect(row.delivered).toBe(options.passes ? GOOD : 0);
  expect(row.deadLettered).toBe(0);
  // Kafka: the poison and every record behind it; elsewhere the poison alone.
  expect(row.kept).toBe(options.passes ? reasons.length : reasons.length + GOOD);
}

describeWithBroker('redis', 'malformed stream entries', () => {
  it('with a dead-letter sink', async () => withDeadLetter('redis streams', await redisSource(), redisPoison), 120_000);
  it(
    'without one: pending in the stream',
    async () =>
      withoutDeadLetter('redis streams', await redisSource(), redisPoison, {
        passes: true,
        heldBack: /not UTF-8 text/,
      }),
    120_000,
  );
});

describeWithBroker('kafka', 'malformed Kafka records', () => {
  it('with a dead-letter sink', async () => withDeadLetter('kafka', await kafkaSource(), kafkaPoison), 120_000);
  it(
    'without one: the partition held at the first',
    async () =>
      withoutDeadLetter('kafka', await kafkaSource(), kafkaPoison, { passes: false, heldBack: /stays in Kafka/ }),
    120_000,
  );
});

describeWithBroker('amqp', 'malformed AMQP messages', () => {
  it('with a dead-letter sink', async () => withDeadLetter('rabbitmq', await amqpSource(), amqpPoison), 120_000);
  it(
    'without one: requeued',
    async () =>
      withoutDeadLetter('rabbitmq', await amqpSource(), amqpPoison, {
        passes: true,
        heldBack: /requeued so that it is not lost/,
      }),
    120_000,
  );
});

it('HTTP: each malformed request refused with a 4xx naming the field or limit; a body at max_body_bytes passes', async () => {
  const maxBody = 4096;
  const spindle = await startTarget(behaviours(), { limits: { max_body_bytes: maxBody } }, cleanups);
  const replies = new ReplyTally();
  const structured = (body: string) =>
    fetch(spindle.url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body });
  const binary = (id: string, headers: Record<string, string>, body: string) =>
    fetch(spindle.url, {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/p', 'ce-type': 'test.echo', ...headers },
      body,
    });
  const expected = new Map<string, RegExp>([
    ['h-bad-json', /^400 /],
    ['h-no-source', /^400 .*source/],
    ['h-deep', /^400 .*max_json_depth/],
    ['h-raw-bytes', /^400[\s\S]*header ce-subject holds the byte 0xC3/],
    ['h-over', /^413[\s\S]*max_body_bytes = 4096/],
  ]);
  await replies.count('h-bad-json', await structured('{"specversion": "1.0", "id": "h-bad-json", '));
  await replies.count(
    'h-no-source',
    await structured(JSON.stringify({ ...valid, id: 'h-no-source', source: undefined })),
  );
  await replies.count('h-deep', await structured(DEEP.replace('"deep"', '"h-deep"')));
  const raw = await exchange(
    spindle.url,
    requestHead('POST', '/', {
      ...{ 'ce-specversion': '1.0', 'ce-id': 'h-raw-bytes', 'ce-source': '/p', 'ce-type': 'test.echo' },
      ...{ 'ce-subject': 'caf\u00c3\u00a9', 'content-length': 0 },
    }),
  );
  replies.refuse('h-raw-bytes', `${statusOf(raw)} ${raw}`);
  const at = await binary('h-at-limit', { 'content-type': 'text/plain' }, 'x'.repeat(maxBody));
  await replies.count('h-at-limit', at);
  await replies.count('h-over', await binary('h-over', { 'content-type': 'text/plain' }, 'x'.repeat(maxBody + 1)));
  for (const e of good('http-good')) {
    await replies.count(e.id, await postEvent(spindle.url, { type: 'test.echo', id: e.id, source: '/faults' }));
  }
  expect(spindle.child.exitCode).toBeNull();
  const row = table.record('malformed: http (cloudevents target)', replies.tally());
  expect(row.delivered).toBe(GOOD + 1);
  expect(replies.delivered).toContain('h-at-limit');
  for (const [id, reason] of expected) expect(replies.reasons.get(id)).toMatch(reason);
  expect(row.kept).toBe(expected.size);
});
