import { CloudEvent as SdkEvent, Kafka as SdkKafka } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { decode, encode, type KafkaMessageOut, type KafkaRecord, wrap } from '../../adapters/kafka/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { ALL_BYTES, fullEvent } from '../support/sample-event.ts';

const full: CloudEvent = fullEvent({ partitionkey: 'order-42' });

/** What kafkajs hands a consumer for a produced message: Buffers everywhere. */
function consumed(message: KafkaMessageOut, at = { topic: 'orders', partition: 2, offset: '17' }): KafkaRecord {
  const headers = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v)]));
  const key = message.key === null ? null : Buffer.from(message.key);
  return { ...at, key, value: message.value, headers, timestamp: '1700000000000' };
}

function decoded(record: KafkaRecord) {
  const result = decode(record);
  if (!result.ok) throw result.error;
  return result;
}

describe('kafka codec, binary mode', () => {
  it('maps every attribute to a ce_ header and datacontenttype to content-type (3.2.1, 3.2.3.1)', () => {
    const message = encode(full, { mode: 'binary' });
    expect(message.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: 'evt-1',
      ce_source: '/orders/eu',
      ce_type: 'com.example.order.created',
      'content-type': 'application/octet-stream',
      ce_dataschema: 'https://example.com/schema',
      ce_subject: 'order-42',
      ce_time: '2024-05-06T07:08:09.123Z',
      ce_partitionkey: 'order-42',
      ce_traceparent: '00-abc-def-01',
      ce_ext1: 'value',
    });
    expect([...(message.value ?? [])]).toEqual([...ALL_BYTES]);
  });

  it('round-trips every attribute, extension and data byte', () => {
    const result = decoded(consumed(encode(full, { mode: 'binary' })));
    expect(result.mode).toBe('binary');
    expect(result.event).toEqual(full);
  });

  it('keys the record with partitionkey, keeping the attribute (3.1), unless a key is given', () => {
    expect(encode(full, { mode: 'binary' }).key).toBe('order-42');
    expect(encode(full, { mode: 'binary', key: 'mine' }).key).toBe('mine');
    expect(encode(full, { mode: 'binary', key: null }).key).toBeNull();
    const { partitionkey: _, ...rest } = full.extensions;
    expect(encode({ ...full, extensions: rest }, { mode: 'binary' }).key).toBeNull();
  });

  it('keeps the record key on decode', () => {
    const result = decoded({ ...consumed(encode(full, { mode: 'binary' })), key: Buffer.from([0xff, 0]) });
    expect([...(result.key ?? [])]).toEqual([0xff, 0]);
  });

  it('gives a keyed record without partitionkey the key as partitionkey, in both modes', () => {
    const { partitionkey: _, ...rest } = full.extensions;
    const unkeyed = { ...full, extensions: rest };
    for (const mode of ['binary', 'structured'] as const) {
      const record = consumed(encode(unkeyed, { mode, key: 'order-7' }));
      expect(decoded(record).event).toEqual({ ...unkeyed, extensions: { ...rest, partitionkey: 'order-7' } });
      // The event's own partitionkey wins.
      expect(decoded(consumed(encode(full, { mode, key: 'order-7' }))).event).toEqual(full);
    }
  });

  // A key no CloudEvents String can hold is no reason to refuse a valid event (it would be
  // dead-lettered), nor to lose the key: it rides as base64, and keys the next record.
  it.each([
    ['a control character', Buffer.from('a\nb')],
    ['U+0000', Buffer.from('a\u0000b')],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0x01])],
  ])('accepts a record whose key holds %s, and keys the output record with the same bytes', (_, key) => {
    const { partitionkey: __, ...rest } = full.extensions;
    const unkeyed = { ...full, extensions: rest };
    for (const mode of ['binary', 'structured'] as const) {
      const result = decoded(consumed(encode(unkeyed, { mode, key })));
      expect(result.event).toEqual({ ...unkeyed, extensions: { ...rest, spindlekeybase64: key.toString('base64') } });
      expect(Buffer.from(encode(result.event, { mode }).key ?? '')).toEqual(key);
    }
    const plain = decoded({ topic: 't', partition: 0, offset: '0', key, value: Buffer.from('x') });
    expect(plain.mode).toBe('wrapped');
    expect(plain.event.extensions).toEqual({ spindlekeybase64: key.toString('base64') });
    expect(Buffer.from(encode(plain.event, { mode: 'binary' }).key ?? '')).toEqual(key);
  });

  it('keys the record with partitionkey over spindlekeybase64, and keeps both extensions', () => {
    const both = { ...full, extensions: { partitionkey: 'new', spindlekeybase64: '/wE=' } };
    const message = encode(both, { mode: 'binary' });
    expect(message.key).toBe('new');
    expect(message.headers).toMatchObject({ ce_partitionkey: 'new', ce_spindlekeybase64: '/wE=' });
  });

  it('writes an event without data as a record without value (3.2.2), and reads it back', () => {
    const { data: _, datacontenttype: __, ...noData } = full;
    const message = encode(noData, { mode: 'binary' });
    expect(message.value).toBeNull();
    expect(decoded(consumed(message)).event).toEqual(noData);
  });

  it('keeps empty data apart from no data', () => {
    const event = { ...full, data: new Uint8Array() };
    expect(decoded(consumed(encode(event, { mode: 'binary' }))).event.data).toEqual(new Uint8Array());
  });

  it('reads the headers of the CloudEvents SDK Kafka binding', () => {
    const sdk = SdkKafka.binary(
      new SdkEvent({ id: 'sdk-1', source: '/sdk', type: 't', datacontenttype: 'text/plain', data: 'hé', ext1: 'x' }),
    );
    const headers = Object.fromEntries(
      Object.entries(sdk.headers)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, Buffer.from(String(v))]),
    );
    const result = decoded({ topic: 't', partition: 0, offset: '0', value: Buffer.from('hé'), headers });
    expect(result.event).toMatchObject({ id: 'sdk-1', source: '/sdk', type: 't', datacontenttype: 'text/plain' });
    expect(result.event.extensions).toEqual({ ext1: 'x' });
    expect(Buffer.from(result.event.data ?? []).toString()).toBe('hé');
  });

  it('reads header names case-insensitively and the first of repeated headers', () => {
    const result = decoded({
      topic: 't',
      partition: 0,
      offset: '1',
      value: null,
      headers: { CE_SpecVersion: '1.0', ce_id: [Buffer.from('a'), Buffer.from('b')], ce_source: 's', ce_type: 't' },
    });
    expect(result.event.id).toBe('a');
  });

  it('refuses a record that claims to be a CloudEvent but is not a valid one, with the reason', () => {
    const record: KafkaRecord = {
      topic: 'orders',
      partition: 1,
      offset: '5',
      value: Buffer.from('x'),
      headers: { ce_specversion: Buffer.from('1.0'), ce_source: Buffer.from('/s'), ce_type: Buffer.from('t') },
    };
    const result = decode(record);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toMatch(/orders\/1@5: invalid CloudEvent: 'id' is required/);
    expect(result.error.retriable).toBe(false);
    // Nothing is lost: the record, wrapped, for the dead-letter sink.
    expect(result.raw).toMatchObject({ id: 'orders-1-5', source: 'kafka://orders' });
    expect(Buffer.from(result.raw.data ?? []).toString()).toBe('x');
  });

  it('refuses a ce_ header that is not UTF-8 (3.2.3) and bad attribute values', () => {
    const base = { ce_specversion: '1.0', ce_id: 'i', ce_source: 's', ce_type: 't' };
    const notUtf8 = decode({
      topic: 't',
      partition: 0,
      offset: '0',
      value: null,
      headers: { ...base, ce_ext: Buffer.from([0xc3, 0x28]) },
    });
    expect(notUtf8.ok || notUtf8.error.message).toMatch(/header 'ce_ext' is not UTF-8/);
    const badTime = decode({
      topic: 't',
      partition: 0,
      offset: '0',
      value: null,
      headers: { ...base, ce_time: 'noon' },
    });
    expect(badTime.ok || badTime.error.message).toMatch(/'time' must be an RFC 3339 timestamp/);
    const badVersion = decode({
      topic: 't',
      partition: 0,
      offset: '0',
      value: null,
      headers: { ...base, ce_specversion: '0.3' },
    });
    expect(badVersion.ok || badVersion.error.message).toMatch(/'specversion' must be "1.0"/);
  });
});

describe('kafka codec, structured mode', () => {
  it('writes the JSON event format with its content type (3.3.1, 3.3.2)', () => {
    const message = encode(full, { mode: 'structured' });
    expect(message.headers).toEqual({ 'content-type': 'application/cloudevents+json; charset=UTF-8' });
    expect(message.key).toBe('order-42');
    const json = JSON.parse(message.value?.toString() ?? '');
    expect(json).toMatchObject({ id: 'evt-1', specversion: '1.0', ext1: 'value' });
    expect(Buffer.from(json.data_base64, 'base64')).toEqual(Buffer.from(ALL_BYTES));
  });

  it('round-trips every attribute, extension and data byte', () => {
    const result = decoded(consumed(encode(full, { mode: 'structured' })));
    expect(result.mode).toBe('structured');
    expect(result.event).toEqual(full);
  });

  it('round-trips JSON data byte for byte', () => {
    const event = { ...full, datacontenttype: 'application/json', data: Buffer.from('{"a":[1,2,{"b":null}]}') };
    const result = decoded(consumed(encode(event, { mode: 'structured' })));
    expect(Buffer.from(result.event.data ?? []).toString()).toBe('{"a":[1,2,{"b":null}]}');
  });

  it('reads the CloudEvents SDK structured message, content type matched case-insensitively (3)', () => {
    const sdk = SdkKafka.structured(new SdkEvent({ id: 'sdk-2', source: '/sdk', type: 't', data: { a: 1 } }));
    const result = decoded({
      topic: 't',
      partition: 0,
      offset: '0',
      value: Buffer.from(String(sdk.value)),
      headers: { 'Content-Type': 'Application/CloudEvents+JSON; charset=utf-8' },
    });
    expect(result.event).toMatchObject({ id: 'sdk-2', datacontenttype: 'application/json' });
    expect(JSON.parse(Buffer.from(result.event.data ?? []).toString())).toEqual({ a: 1 });
  });

  it.each([
    ['malformed JSON', Buffer.from('{"id": '), /malformed structured event/],
    ['a JSON array', Buffer.from('[]'), /must be a JSON object/],
    ['no value', null, /must have a value/],
    ['not UTF-8', Buffer.from([0xff, 0xfe]), /not UTF-8/],
    ['missing attributes', Buffer.from('{"specversion":"1.0","id":"x"}'), /'source' is required/],
  ])('refuses %s as undecodable, with the reason', (_, value, reason) => {
    const result = decode({
      topic: 't',
      partition: 3,
      offset: '9',
      value,
      headers: { 'content-type': Buffer.from('application/cloudevents+json') },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).toMatch(reason);
      expect(result.raw.id).toBe('t-3-9');
    }
  });

  it('refuses event formats it cannot read', () => {
    const result = decode({
      topic: 't',
      partition: 0,
      offset: '0',
      value: Buffer.from('x'),
      headers: { 'content-type': 'application/cloudevents+avro' },
    });
    expect(result.ok || result.error.message).toMatch(/unsupported event format 'application\/cloudevents\+avro'/);
  });
});

describe('kafka codec, events whose data is in an event format', () => {
  it('sends them structured even when binary is asked for, so that they are not misread (3)', () => {
    const broken = Buffer.from('{"specversion": "1.0", "id": ');
    const wrapped = wrap({
      topic: 'orders',
      partition: 0,
      offset: '5',
      value: broken,
      headers: { 'content-type': Buffer.from('application/cloudevents+json') },
    });
    const message = encode(wrapped, { mode: 'binary' });
    expect(message.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    const back = decoded(consumed(message));
    expect(back.mode).toBe('structured');
    expect(back.event.datacontenttype).toBe('application/cloudevents+json');
    expect(Buffer.from(back.event.data ?? [])).toEqual(broken);
  });
});

describe('kafka codec, records that are not CloudEvents', () => {
  const plain: KafkaRecord = {
    topic: 'payments',
    partition: 4,
    offset: '1234',
    key: Buffer.from('customer-7'),
    value: Buffer.from(ALL_BYTES),
    headers: { 'content-type': Buffer.from('application/x-protobuf'), 'x-other': Buffer.from([0xff]) },
    timestamp: '1700000000000',
  };

  it('wraps one into an event whose id survives redelivery', () => {
    const result = decoded(plain);
    expect(result.mode).toBe('wrapped');
    expect(result.event).toEqual({
      specversion: '1.0',
      id: 'payments-4-1234',
      source: 'kafka://payments',
      type: 'dev.spindle.kafka.message',
      time: '2023-11-14T22:13:20.000Z',
      datacontenttype: 'application/x-protobuf',
      extensions: { partitionkey: 'customer-7' },
      data: ALL_BYTES,
    });
    expect(decoded(plain).event).toEqual(result.event);
  });

  it('takes the type from the options', () => {
    expect(decode(plain, { type: 'com.example.payment' })).toMatchObject({ event: { type: 'com.example.payment' } });
  });

  it('leaves out what the record does not have', () => {
    const bare = wrap({ topic: 't', partition: 0, offset: '0', key: null, value: null });
    expect(bare).toEqual({
      specversion: '1.0',
      id: 't-0-0',
      source: 'kafka://t',
      type: 'dev.spindle.kafka.message',
      extensions: {},
    });
  });
});
