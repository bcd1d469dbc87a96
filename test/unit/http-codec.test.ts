import { describe, expect, it } from 'vitest';
import { decode, encodeBatch, encodeBinary, encodeStructured } from '../../adapters/cloudevents/codec.ts';
import type { CloudEvent } from '../../src/event.ts';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));
const binaryHeaders = { 'ce-specversion': '1.0', 'ce-id': 'e1', 'ce-source': '/src', 'ce-type': 'demo.t' };

describe('CloudEvents HTTP binding codec', () => {
  it('reads binary mode: ce- headers are attributes, Content-Type is datacontenttype, the body is data', () => {
    const { mode, events } = decode({
      headers: { ...binaryHeaders, 'ce-subject': 'a%20b%C3%A9', 'ce-myext': 'x', 'content-type': 'application/json' },
      body: bytes('{ "a" : 1 }'),
    });
    expect(mode).toBe('binary');
    expect(events).toEqual([
      {
        id: 'e1',
        source: '/src',
        type: 'demo.t',
        specversion: '1.0',
        subject: 'a bé',
        datacontenttype: 'application/json',
        extensions: { myext: 'x' },
        data: bytes('{ "a" : 1 }'),
      },
    ]);
  });

  it('does not invent a time or data the sender did not send', () => {
    const [event] = decode({ headers: binaryHeaders, body: new Uint8Array() }).events;
    expect(event?.time).toBeUndefined();
    expect(event?.data).toBeUndefined();
  });

  it('reads structured mode with JSON data and with data_base64', () => {
    const json = decode({
      headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
      body: bytes(JSON.stringify({ specversion: '1.0', id: '1', source: 's', type: 't', data: { a: 1 } })),
    });
    expect(json.mode).toBe('structured');
    expect(json.events[0]?.datacontenttype).toBe('application/json');
    expect(Buffer.from(json.events[0]?.data ?? []).toString()).toBe('{"a":1}');
    const b64 = decode({
      headers: { 'content-type': 'application/cloudevents+json' },
      body: bytes(JSON.stringify({ specversion: '1.0', id: '1', source: 's', type: 't', data_base64: 'AAEC' })),
    });
    expect(b64.events[0]?.data).toEqual(new Uint8Array([0, 1, 2]));
  });

  it('reads batch mode', () => {
    const { mode, events } = decode({
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: bytes(
        JSON.stringify([
          { specversion: '1.0', id: '1', source: 's', type: 't' },
          { specversion: '1.0', id: '2', source: 's', type: 't' },
        ]),
      ),
    });
    expect(mode).toBe('batch');
    expect(events.map((e) => e.id)).toEqual(['1', '2']);
  });

  it.each([
    [{ 'content-type': 'text/plain' }, 'x', /not a CloudEvent: expected ce-specversion/],
    [{ ...binaryHeaders, 'ce-id': '' }, '', /'id' is required/],
    [{ ...binaryHeaders, 'ce-specversion': '0.9' }, '', /'specversion' must be "1.0"/],
    [{ ...binaryHeaders, 'ce-time': 'yesterday' }, '', /'time' must be an RFC 3339 timestamp/],
    [{ 'content-type': 'application/cloudevents+json' }, '{"id":', /structured mode body is not valid JSON/],
    [
      { 'content-type': 'application/cloudevents+json' },
      '{"id":"1","source":"s","specversion":"1.0"}',
      /'type' is required/,
    ],
    [{ 'content-type': 'application/cloudevents-batch+json' }, '{}', /must be a JSON array/],
    [{ 'content-type': 'application/cloudevents-batch+json' }, '[{"id":"1"}]', /batch event #0/],
    [{ 'content-type': 'application/cloudevents+xml' }, '<x/>', /unsupported event format/],
  ])('rejects %j with a reason', (headers, body, reason) => {
    expect(() => decode({ headers, body: bytes(body) })).toThrow(reason);
  });

  const event: CloudEvent = {
    id: 'e1',
    source: '/src',
    type: 'demo.t',
    specversion: '1.0',
    subject: 'needs "escaping" 100%',
    datacontenttype: 'application/json',
    extensions: { myext: 'é' },
    data: bytes('{"a":1}'),
  };

  it('writes binary mode with percent-encoded header values, and reads it back unchanged', () => {
    const message = encodeBinary(event);
    expect(message.headers).toMatchObject({
      'content-type': 'application/json',
      'ce-id': 'e1',
      'ce-subject': 'needs%20%22escaping%22%20100%25',
      'ce-myext': '%C3%A9',
    });
    expect(decode(message).events).toEqual([event]);
  });

  it('writes structured and batch mode that read back unchanged', () => {
    expect(decode(encodeStructured(event)).events).toEqual([event]);
    expect(decode(encodeBatch([event, { ...event, id: 'e2' }])).events.map((e) => e.id)).toEqual(['e1', 'e2']);
  });
});
