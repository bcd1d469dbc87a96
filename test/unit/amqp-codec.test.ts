import { describe, expect, it } from 'vitest';
import { type AmqpDelivery, type AmqpMessageOut, decode, encode, wrap } from '../../adapters/amqp/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { ALL_BYTES, fullEvent } from '../support/sample-event.ts';

const full: CloudEvent = fullEvent();

/** What amqplib hands a consumer for a published message. */
function delivered(message: AmqpMessageOut, queue = 'orders'): AmqpDelivery {
  return {
    queue,
    content: message.content,
    fields: { exchange: 'events', routingKey: 'order.created' },
    properties: { ...message.options },
  };
}

function delivery(properties: AmqpDelivery['properties'], content: Buffer = Buffer.from('body')): AmqpDelivery {
  return { queue: 'q', content, fields: { exchange: '', routingKey: 'rk' }, properties };
}

function ok(result: ReturnType<typeof decode>) {
  if (!result.ok) throw result.error;
  return result;
}

describe('amqp codec, binary mode', () => {
  it("writes Knative's headers: bare attribute names, content-type, messageId", () => {
    const message = encode(full, { mode: 'binary' });
    expect(message.options).toEqual({
      contentType: 'application/octet-stream',
      messageId: 'evt-1',
      headers: {
        specversion: '1.0',
        id: 'evt-1',
        source: '/orders/eu',
        type: 'com.example.order.created',
        'content-type': 'application/octet-stream',
        dataschema: 'https://example.com/schema',
        subject: 'order-42',
        time: '2024-05-06T07:08:09.123Z',
        traceparent: '00-abc-def-01',
        ext1: 'value',
      },
    });
    expect([...message.content]).toEqual([...ALL_BYTES]);
  });

  it.each(['', 'ce-', 'ce_', 'cloudEvents_'] as const)(
    'round-trips every attribute, extension and data byte with header prefix %j',
    (headerPrefix) => {
      const message = encode(full, { mode: 'binary', headerPrefix });
      expect(message.options.headers[`${headerPrefix}id`]).toBe('evt-1');
      const result = ok(decode(delivered(message)));
      expect(result.mode).toBe('binary');
      expect(result.event).toEqual(full);
    },
  );

  it('reads the AMQP 1.0 binding draft prefix `cloudEvents:` and mixed-case names', () => {
    const result = ok(
      decode(
        delivery({
          contentType: 'text/plain',
          headers: {
            'cloudEvents:specversion': '1.0',
            'cloudEvents:id': 'a',
            'CloudEvents:Source': 's',
            'cloudEvents:type': 't',
          },
        }),
      ),
    );
    expect(result.event).toMatchObject({ id: 'a', source: 's', type: 't', datacontenttype: 'text/plain' });
  });

  it('reads typed header values in canonical string form (3.1.3.2)', () => {
    const result = ok(
      decode(
        delivery({
          headers: { specversion: '1.0', id: Buffer.from('bytes-id'), source: 's', type: 't', count: 42, flag: true },
        }),
      ),
    );
    expect(result.event.id).toBe('bytes-id');
    expect(result.event.extensions).toEqual({ count: '42', flag: 'true' });
  });

  it('skips RabbitMQ headers that cannot be attribute names, and reads only one convention', () => {
    const result = ok(
      decode(
        delivery({
          headers: {
            specversion: '1.0',
            id: 'a',
            source: 's',
            type: 't',
            'x-death': [{ count: 1 }],
            'x-first-death-queue': 'q',
            'ce-ignored': 'x',
          },
        }),
      ),
    );
    expect(result.event.extensions).toEqual({});
  });

  it('takes datacontenttype from the header before the property', () => {
    const headers = { specversion: '1.0', id: 'a', source: 's', type: 't', 'content-type': 'application/json' };
    expect(ok(decode(delivery({ contentType: 'text/plain', headers }))).event.datacontenttype).toBe('application/json');
  });

  it('reads an extension named like an Object.prototype member as any other (found by the property test)', () => {
    const event: CloudEvent = {
      specversion: '1.0',
      id: 'a',
      source: 's',
      type: 't',
      extensions: { constructor: 'c', valueof: 'v' },
    };
    expect(ok(decode(delivered(encode(event, { mode: 'binary' })))).event).toEqual(event);
  });

  it('writes an event without data as an empty body and reads it back without data', () => {
    const { data: _, datacontenttype: __, ...noData } = full;
    const message = encode(noData, { mode: 'binary' });
    expect(message.content.length).toBe(0);
    expect(message.options.contentType).toBeUndefined();
    expect(ok(decode(delivered(message))).event).toEqual(noData);
  });

  it('refuses a message that claims to be an event but is not a valid one, with the reason', () => {
    const result = decode(delivery({ messageId: 'm-1', headers: { specversion: '1.0', source: 's', type: 't' } }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toMatch(/amqp message on queue q: invalid CloudEvent: 'id' is required/);
    expect(result.error.retriable).toBe(false);
    expect(result.raw).toMatchObject({ id: 'm-1', source: 'amqp://q', data: new Uint8Array(Buffer.from('body')) });
  });

  it('refuses prefixed headers without a string form', () => {
    const result = decode(
      delivery({
        headers: { 'ce-specversion': '1.0', 'ce-id': 'a', 'ce-source': 's', 'ce-type': 't', 'ce-ext': { a: 1 } },
      }),
    );
    expect(result.ok || result.error.message).toMatch(/header 'ce-ext' is not a string/);
  });
});

describe('amqp codec, structured mode', () => {
  it('writes the JSON event format with its content type (3.2.1) and the id as messageId', () => {
    const message = encode(full, { mode: 'structured' });
    expect(message.options).toEqual({
      contentType: 'application/cloudevents+json; charset=utf-8',
      messageId: 'evt-1',
      headers: {},
    });
    expect(JSON.parse(message.content.toString())).toMatchObject({ id: 'evt-1', ext1: 'value' });
  });

  it('round-trips every attribute, extension and data byte', () => {
    const result = ok(decode(delivered(encode(full, { mode: 'structured' }))));
    expect(result.mode).toBe('structured');
    expect(result.event).toEqual(full);
  });

  it('is also told by a content-type header', () => {
    const content = encode(full, { mode: 'structured' }).content;
    const result = ok(decode(delivery({ headers: { 'Content-Type': 'application/cloudevents+json' } }, content)));
    expect(result.event).toEqual(full);
  });

  it.each([
    ['malformed JSON', Buffer.from('{"id":'), /malformed structured event/],
    ['not UTF-8', Buffer.from([0xff]), /not UTF-8/],
    ['an invalid event', Buffer.from('{"specversion":"1.0","id":"i","source":"s","type":"t","time":"noon"}'), /'time'/],
  ])('refuses %s as undecodable, with the reason', (_, content, reason) => {
    const result = decode(delivery({ contentType: 'application/cloudevents+json' }, content));
    expect(result.ok || result.error.message).toMatch(reason);
  });

  it('reads binary mode when attribute headers come with an event-format content type', () => {
    const wrapped = {
      ...full,
      datacontenttype: 'application/cloudevents+json',
      data: new Uint8Array(Buffer.from('{"id":')),
    };
    const result = ok(decode(delivered(encode(wrapped, { mode: 'binary' }))));
    expect(result.mode).toBe('binary');
    expect(result.event).toEqual(wrapped);
  });

  it('refuses the batch format and others it cannot read', () => {
    const result = decode(delivery({ contentType: 'application/cloudevents-batch+json' }, Buffer.from('[]')));
    expect(result.ok || result.error.message).toMatch(
      /unsupported event format 'application\/cloudevents-batch\+json'/,
    );
  });
});

describe('amqp codec, messages that are not CloudEvents', () => {
  it('wraps one: messageId as id, queue as source, routing key as subject, timestamp as time', () => {
    const message = delivery(
      { messageId: 'msg-7', timestamp: 1700000000, contentType: 'application/xml', headers: { app: 'x' } },
      Buffer.from(ALL_BYTES),
    );
    const result = ok(decode(message));
    expect(result.mode).toBe('wrapped');
    expect(result.event).toEqual({
      specversion: '1.0',
      id: 'msg-7',
      source: 'amqp://q',
      type: 'dev.spindle.amqp.message',
      subject: 'rk',
      time: '2023-11-14T22:13:20.000Z',
      datacontenttype: 'application/xml',
      extensions: {},
      data: ALL_BYTES,
    });
  });

  it('gives a message without messageId a new id, and takes the type from the options', () => {
    const bare: AmqpDelivery = {
      queue: 'q',
      content: Buffer.from('x'),
      fields: { exchange: '', routingKey: '' },
      properties: {},
    };
    expect(wrap(bare, { newId: () => 'new', type: 'com.example.t' })).toEqual({
      specversion: '1.0',
      id: 'new',
      source: 'amqp://q',
      type: 'com.example.t',
      extensions: {},
      data: new Uint8Array(Buffer.from('x')),
    });
    expect(wrap(bare).id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
