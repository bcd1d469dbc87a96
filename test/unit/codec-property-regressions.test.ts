/**
 * Counterexamples the codec property tests (*.property.test.ts) found, kept as plain
 * regression tests.
 */
import { describe, expect, it } from 'vitest';
import { decode as decodeAmqp, encode as encodeAmqp } from '../../adapters/amqp/codec.ts';
import { decode as decodeHttp, encodeBinary, encodeStructured } from '../../adapters/cloudevents/codec.ts';
import { decode as decodeKafka } from '../../adapters/kafka/codec.ts';
import { decodeMessage } from '../../adapters/redis/codec.ts';
import { type CloudEvent, toStructured } from '../../src/event.ts';

const base: CloudEvent = { specversion: '1.0', id: '1', source: '/s', type: 't', extensions: {} };
const bytes = (text: string) => new TextEncoder().encode(text);

describe('the JSON event format keeps data bytes exact', () => {
  it.each([
    ['empty data typed text/json (was read back as `""`)', 'text/json', ''],
    ['JSON null (was read back as no data)', 'application/json', 'null'],
    ['JSON null without datacontenttype (was lost)', undefined, 'null'],
    ['JSON with spaces (was read back compacted)', 'application/json', '{ "a": 1 }'],
  ])('%s', (_, datacontenttype, text) => {
    const event: CloudEvent = { ...base, ...(datacontenttype ? { datacontenttype } : {}), data: bytes(text) };
    expect(toStructured(event)).toMatchObject({ data_base64: Buffer.from(text).toString('base64') });
    expect(decodeHttp(encodeStructured(event)).events).toEqual([event]);
  });

  it('still writes compact JSON and text as a data member', () => {
    expect(toStructured({ ...base, datacontenttype: 'application/json', data: bytes('{"a":[1]}') }).data).toEqual({
      a: [1],
    });
    expect(toStructured({ ...base, datacontenttype: 'text/plain', data: bytes('') }).data).toBe('');
  });
});

describe('a wrapped broker message is a valid event or refused with the reason', () => {
  it('kafka: a content-type header holding U+0000 is refused, naming the attribute', () => {
    const result = decodeKafka({
      topic: '_',
      partition: 0,
      offset: '0',
      key: null,
      value: null,
      headers: { 'content-type': ['\u0000'] },
      timestamp: 'NaN',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe(
      "kafka record _/0@0: invalid CloudEvent: attribute 'datacontenttype' contains the control character U+0000 at offset 0, which no CloudEvents string may",
    );
    expect(result.raw.id).toBe('_-0-0');
  });

  it('kafka: a key with a control character stays the record key, and rides as base64, not partitionkey', () => {
    const result = decodeKafka({ topic: 't', partition: 0, offset: '1', key: Buffer.from('a\nb'), value: null });
    expect(result.ok && result.event.extensions).toEqual({ spindlekeybase64: Buffer.from('a\nb').toString('base64') });
    expect(result.key).toEqual(Buffer.from('a\nb'));
  });

  it('amqp: a routing key holding U+0000 gives no subject', () => {
    const result = decodeAmqp(
      { queue: '', content: Buffer.from([]), fields: { exchange: '', routingKey: '\u0000' }, properties: {} },
      { newId: () => 'new-id' },
    );
    expect(result.ok && result.event).toEqual({
      ...base,
      id: 'new-id',
      source: 'amqp://',
      type: 'dev.spindle.amqp.message',
    });
  });

  it('amqp: a messageId with CR/LF is refused, naming the attribute', () => {
    const result = decodeAmqp({
      queue: 'q',
      content: Buffer.from('x'),
      fields: { exchange: '', routingKey: '' },
      properties: { messageId: 'a\r\nb' },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain("attribute 'id' contains the control character U+000D");
  });

  it('redis: a channel name with a control character is refused, naming the attribute', () => {
    const result = decodeMessage('c\u0007', bytes('hello'), { newId: () => 'n' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain("attribute 'source' contains the control character U+0007");
  });
});

describe('the HTTP binding reads header bytes, not Latin-1 text', () => {
  it('refuses a Content-Type holding a byte above U+007E (was read as Latin-1 into datacontenttype)', () => {
    const message = {
      headers: {
        'ce-specversion': '1.0',
        'ce-id': '1',
        'ce-source': '/s',
        'ce-type': 't',
        'content-type': 'text/\u00e9',
      },
      body: bytes('x'),
    };
    expect(() => decodeHttp(message)).toThrow(
      'header content-type holds the byte 0xE9, outside printable US-ASCII: a media type (RFC 2045 5.1) is printable US-ASCII only',
    );
  });
});

describe('HTTP binary mode writes only what it can carry', () => {
  it.each([
    ['a datacontenttype that is an event format (was read back as the event itself)', 'application/cloudevents+json'],
    ['a non-ASCII datacontenttype (fetch and node:http refuse the header, on every retry)', 'text/plain; name="☃"'],
  ])('goes structured for %s', (_, datacontenttype) => {
    const event: CloudEvent = { ...base, datacontenttype, data: bytes('{"id":"inner"}') };
    const message = encodeBinary(event);
    expect(message.headers).toEqual({ 'content-type': 'application/cloudevents+json' });
    expect(decodeHttp(message).events).toEqual([event]);
  });
});

describe('AMQP encodes only what amqplib publishes', () => {
  it('leaves out a messageId longer than a shortstr (amqplib threw on every retry); the id header still carries it', () => {
    const event: CloudEvent = { ...base, id: 'x'.repeat(256) };
    const message = encodeAmqp(event, { mode: 'binary' });
    expect(message.options.messageId).toBeUndefined();
    expect(message.options.headers.id).toBe(event.id);
    const back = decodeAmqp({
      queue: 'q',
      content: message.content,
      fields: { exchange: '', routingKey: '' },
      properties: message.options,
    });
    expect(back.ok && back.event).toEqual(event);
  });
});
