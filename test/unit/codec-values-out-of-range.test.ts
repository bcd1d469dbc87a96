/**
 * A broker value no CloudEvent can carry (a timestamp past JavaScript's Date range)
 * makes the codec refuse the message with a reason naming the field, and keep its bytes
 * for the dead-letter sink: never an exception that the consumer would retry forever.
 */
import { describe, expect, it } from 'vitest';
import { decode as decodeAmqp } from '../../adapters/amqp/codec.ts';
import { decode as decodeKafka } from '../../adapters/kafka/codec.ts';
import { timeFromMillis } from '../../src/event.ts';

describe('timeFromMillis', () => {
  it('gives a time within range, none for a missing one, out-of-range past +275760', () => {
    expect(timeFromMillis(1_700_000_000_000)).toEqual({ time: '2023-11-14T22:13:20.000Z' });
    expect(timeFromMillis(8.64e15)).toEqual({ time: '+275760-09-13T00:00:00.000Z' });
    expect(timeFromMillis(-1)).toBe('none');
    expect(timeFromMillis(Number.NaN)).toBe('none');
    expect(timeFromMillis(8.64e15 + 1)).toBe('out-of-range');
    expect(timeFromMillis(Number.POSITIVE_INFINITY)).toBe('out-of-range');
  });
});

describe('kafka: a plain record with a timestamp past the Date range', () => {
  const record = {
    topic: 't',
    partition: 0,
    offset: '5',
    value: Buffer.from([0xff, 0xfe, 0x80, 0x41]),
    timestamp: '9223372036854775807',
  };

  it('is refused with the field named, its bytes kept (no time) for the dead-letter sink', () => {
    const decoded = decodeKafka(record);
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.message).toBe(
      "kafka record t/0@5: field 'timestamp' (9223372036854775807 ms) is beyond the latest time a CloudEvent can carry (8640000000000000 ms)",
    );
    expect(decoded.raw.time).toBeUndefined();
    expect(decoded.raw.id).toBe('t-0-5');
    expect(decoded.raw.data).toEqual(new Uint8Array([0xff, 0xfe, 0x80, 0x41]));
  });

  it('a record in range still wraps with its time', () => {
    const decoded = decodeKafka({ ...record, timestamp: '1700000000000' });
    expect(decoded.ok && decoded.event.time).toBe('2023-11-14T22:13:20.000Z');
  });
});

describe('amqp: a plain message with a timestamp past the Date range', () => {
  it('is refused with the property named, its bytes kept', () => {
    const decoded = decodeAmqp({
      queue: 'q',
      content: Buffer.from('body'),
      fields: { exchange: '', routingKey: 'rk' },
      properties: { messageId: 'm1', timestamp: 9e15 },
    });
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.message).toContain("property 'timestamp' (9000000000000000 s) is beyond the latest time");
    expect(decoded.raw.id).toBe('m1');
    expect(decoded.raw.time).toBeUndefined();
    expect(Buffer.from(decoded.raw.data ?? []).toString()).toBe('body');
  });
});

describe('broker codecs: JSON deeper than max_json_depth', () => {
  it('a structured Kafka record nested too deep is refused naming the limit, not a stack overflow', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const decoded = decodeKafka({
      topic: 't',
      partition: 0,
      offset: '1',
      value: Buffer.from(`{"specversion":"1.0","id":"d","source":"/s","type":"t","data":${deep}}`),
      headers: { 'content-type': Buffer.from('application/cloudevents+json') },
    });
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.message).toBe(
      'kafka record t/0@1: malformed structured event: JSON nested deeper than 64 levels (max_json_depth = 64)',
    );
  });
});
