import { describe, expect, it } from 'vitest';
import * as amqp from '../../adapters/amqp/codec.ts';
import * as http from '../../adapters/cloudevents/codec.ts';
import * as kafka from '../../adapters/kafka/codec.ts';
import * as redis from '../../adapters/redis/codec.ts';
import type { CloudEvent } from '../../src/event.ts';

// The CloudEvents distributed-tracing extension: `traceparent` and `tracestate` are
// extension attributes, so every binding carries them as it carries any extension.
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const TRACESTATE = 'shop=1,other=a b';
const traced: CloudEvent = {
  specversion: '1.0',
  id: 'e1',
  source: '/shop',
  type: 'io.shop.order',
  extensions: { traceparent: TRACEPARENT, tracestate: TRACESTATE },
};
const context = { traceparent: TRACEPARENT, tracestate: TRACESTATE };

function decoded(result: { ok: true; event: CloudEvent } | { ok: false; error: Error }): CloudEvent {
  if (!result.ok) throw result.error;
  return result.event;
}

describe('trace context through each codec', () => {
  it('HTTP binary mode: ce-traceparent (percent-encoded where needed) and the W3C headers', () => {
    const message = http.encodeBinary(traced);
    expect(message.headers).toMatchObject({
      'ce-traceparent': TRACEPARENT,
      'ce-tracestate': 'shop=1,other=a%20b',
      traceparent: TRACEPARENT,
      tracestate: TRACESTATE,
    });
    expect(http.decode(message).events[0]?.extensions).toEqual(context);
  });

  it('HTTP structured mode: in the JSON, and as W3C headers', () => {
    const message = http.encodeStructured(traced);
    expect(message.headers).toMatchObject(context);
    expect(JSON.parse(Buffer.from(message.body).toString())).toMatchObject(context);
    expect(http.decode(message).events[0]?.extensions).toEqual(context);
  });

  it('HTTP: a W3C traceparent header is the trace of an event that carries none, never over its own', () => {
    const binary = { 'ce-specversion': '1.0', 'ce-id': 'e1', 'ce-source': '/s', 'ce-type': 't' };
    const body = new Uint8Array();
    const fromHeader = http.decode({ headers: { ...binary, traceparent: TRACEPARENT, tracestate: 'a=1' }, body });
    expect(fromHeader.events[0]?.extensions).toEqual({ traceparent: TRACEPARENT, tracestate: 'a=1' });
    const own = { ...binary, 'ce-traceparent': '00-11111111111111111111111111111111-2222222222222222-01' };
    const both = http.decode({ headers: { ...own, traceparent: TRACEPARENT }, body });
    expect(both.events[0]?.extensions.traceparent).toBe(own['ce-traceparent']);
  });

  it('HTTP: a trace context no header may hold stays out of the W3C headers', () => {
    const odd = { ...traced, extensions: { traceparent: 'é' } };
    expect(http.encodeBinary(odd).headers).not.toHaveProperty('traceparent');
    expect(http.encodeBinary(odd).headers['ce-traceparent']).toBe('%C3%A9');
  });

  it('Kafka: ce_traceparent and ce_tracestate headers (binary), the JSON (structured)', () => {
    for (const mode of ['binary', 'structured'] as const) {
      const message = kafka.encode(traced, { mode });
      if (mode === 'binary')
        expect(message.headers).toMatchObject({ ce_traceparent: TRACEPARENT, ce_tracestate: TRACESTATE });
      const headers = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v)]));
      const record = {
        topic: 't',
        partition: 0,
        offset: '1',
        key: null,
        value: message.value,
        headers,
        timestamp: '1',
      };
      expect(decoded(kafka.decode(record)).extensions).toEqual(context);
    }
  });

  it.each([
    ['', 'traceparent'],
    ['cloudEvents_', 'cloudEvents_traceparent'],
  ] as const)('AMQP: header prefix %j writes %s', (headerPrefix, name) => {
    const message = amqp.encode(traced, { mode: 'binary', headerPrefix });
    expect(message.options.headers[name]).toBe(TRACEPARENT);
    const delivery = {
      queue: 'q',
      content: message.content,
      fields: { exchange: 'x', routingKey: 'k' },
      properties: { ...message.options },
    };
    expect(decoded(amqp.decode(delivery)).extensions).toEqual(context);
  });

  it('Redis: in the event JSON of a stream entry and of a pub/sub message', () => {
    const [field, json] = redis.encodeEntry(traced);
    expect(JSON.parse(json)).toMatchObject(context);
    expect(decoded(redis.decodeEntry('s', '1-0', [field, json])).extensions).toEqual(context);
    const message = redis.encodeMessage(traced);
    expect(decoded(redis.decodeMessage('c', Buffer.from(message))).extensions).toEqual(context);
  });
});
