import { describe, expect, it } from 'vitest';
import { decodeEntry, decodeMessage, encodeEntry, encodeMessage } from '../../adapters/redis/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { fullEvent } from '../support/sample-event.ts';

const full: CloudEvent = fullEvent();

const fixedId = () => 'fixed-id';

function ok<T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> {
  if (!result.ok) throw (result as unknown as { error: Error }).error;
  return result as Extract<T, { ok: true }>;
}

describe('redis codec, pub/sub', () => {
  it('round-trips every attribute, extension and data byte through the JSON event format', () => {
    const message = encodeMessage(full);
    expect(JSON.parse(message)).toMatchObject({ id: 'evt-1', ext1: 'value', data_base64: expect.any(String) });
    const result = ok(decodeMessage('orders', Buffer.from(message)));
    expect(result.mode).toBe('structured');
    expect(result.event).toEqual(full);
  });

  it('round-trips JSON and text data exactly', () => {
    for (const [datacontenttype, text] of [
      ['application/json', '{"a":[1,2,{"b":null}]}'],
      ['text/plain', 'hé ☃'],
    ] as const) {
      const event = { ...full, datacontenttype, data: Buffer.from(text) };
      const back = ok(decodeMessage('c', Buffer.from(encodeMessage(event)))).event;
      expect(Buffer.from(back.data ?? []).toString()).toBe(text);
      expect(back.datacontenttype).toBe(datacontenttype);
    }
  });

  it.each([
    ['plain text', Buffer.from('hello')],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0x00, 0xfe])],
    ['JSON without specversion', Buffer.from('{"orderId":42}')],
    ['a JSON array', Buffer.from('[1,2]')],
    ['broken JSON', Buffer.from('{"specversion":')],
  ])('wraps %s into an event whose data is the message bytes', (_, payload) => {
    const result = ok(decodeMessage('orders', payload, { newId: fixedId }));
    expect(result.mode).toBe('wrapped');
    expect(result.event).toEqual({
      specversion: '1.0',
      id: 'fixed-id',
      source: 'redis://orders',
      type: 'dev.spindle.redis.message',
      extensions: {},
      data: new Uint8Array(payload),
    });
  });

  it('gives wrapped messages a fresh UUID each and the configured type', () => {
    const a = ok(decodeMessage('c', Buffer.from('x'), { type: 'com.example.t' })).event;
    const b = ok(decodeMessage('c', Buffer.from('x'))).event;
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.type).toBe('com.example.t');
  });

  it('refuses an event that is not valid, with the reason and the payload wrapped', () => {
    const payload = Buffer.from('{"specversion":"1.0","id":"x","type":"t"}');
    const result = decodeMessage('orders', payload, { newId: fixedId });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toMatch(/redis message on orders: invalid CloudEvent: 'source' is required/);
    expect(result.raw).toMatchObject({ id: 'fixed-id', source: 'redis://orders', data: new Uint8Array(payload) });
  });

  it('refuses attributes of the wrong JSON type', () => {
    const result = decodeMessage('c', Buffer.from('{"specversion":"1.0","id":"x","source":"s","type":"t","ext":{}}'));
    expect(result.ok || result.error.message).toMatch(/attribute 'ext' must be a string, number or boolean/);
  });
});

describe('redis codec, streams', () => {
  it('writes the event in the field `event` and reads it back exactly', () => {
    const fields = encodeEntry(full);
    expect(fields[0]).toBe('event');
    const result = ok(decodeEntry('orders', '1700000000000-0', fields));
    expect(result.mode).toBe('structured');
    expect(result.event).toEqual(full);
  });

  it('reads fields given as an object too, ignoring fields beside `event`', () => {
    const [, json] = encodeEntry(full);
    expect(ok(decodeEntry('s', '1-0', { other: 'x', event: json })).event).toEqual(full);
  });

  it('wraps an entry without `event`: its fields as JSON data, an id that survives redelivery', () => {
    const result = ok(decodeEntry('orders', '1700000000000-3', ['orderId', '42', 'note', 'hé "quoted"']));
    expect(result.mode).toBe('wrapped');
    expect(result.event).toEqual({
      specversion: '1.0',
      id: 'orders-1700000000000-3',
      source: 'redis://orders',
      type: 'dev.spindle.redis.message',
      datacontenttype: 'application/json',
      extensions: {},
      data: expect.any(Uint8Array),
    });
    expect(JSON.parse(Buffer.from(result.event.data ?? []).toString())).toEqual({ orderId: '42', note: 'hé "quoted"' });
    expect(ok(decodeEntry('orders', '1700000000000-3', ['orderId', '42', 'note', 'hé "quoted"'])).event.id).toBe(
      result.event.id,
    );
  });

  it.each([
    ['malformed JSON', '{"id":', /malformed JSON in field 'event'/],
    ['a JSON string', '"hello"', /must be a JSON object/],
    ['an invalid event', '{"specversion":"2.0","id":"i","source":"s","type":"t"}', /'specversion' must be "1.0"/],
  ])('refuses %s in `event` as undecodable, with the reason', (_, json, reason) => {
    const result = decodeEntry('orders', '5-0', ['event', json, 'k', 'v']);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toMatch(/^redis stream orders entry 5-0: /);
    expect(result.error.message).toMatch(reason);
    expect(result.raw.id).toBe('orders-5-0');
    expect(Buffer.from(result.raw.data ?? []).toString()).toBe(json);
  });
});
