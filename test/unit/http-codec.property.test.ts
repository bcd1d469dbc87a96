/**
 * Properties of the CloudEvents HTTP binding codec: any valid event reads back as it was
 * written, in binary, structured and batch mode; any request reads as events or as an
 * InvalidEventError (a 400/413 for the client), never as an exception that escapes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decode,
  encodeBatch,
  encodeBinary,
  encodeStructured,
  type HttpMessage,
} from '../../adapters/cloudevents/codec.ts';
import { InvalidEventError } from '../../src/errors.ts';
import { type CloudEvent, violations } from '../../src/event.ts';
import { anyBytes, cloudEvent, deepJson, extensionName, headerText, RUNS } from '../support/cloud-event-arbitrary.ts';
import { structuredReadBack } from '../support/structured-read-back.ts';

/** What node:http hands over for an encoded message: header names in lower case. */
function received(message: { headers: Record<string, string>; body: Uint8Array }): HttpMessage {
  return { headers: { ...message.headers }, body: message.body };
}

/**
 * Binary mode cannot say "no data" apart from "empty data" when a Content-Type is present
 * (3.1.2: the body is the data). An event whose datacontenttype binary mode cannot carry
 * (an event format, a non-ASCII character) is written in structured mode (see encodeBinary).
 */
function binaryReadBack(event: CloudEvent): CloudEvent {
  const contentType = event.datacontenttype;
  if (
    contentType !== undefined &&
    (/[^\x20-\x7e]/.test(contentType) || /^application\/cloudevents/i.test(contentType))
  ) {
    return structuredReadBack(event);
  }
  const { data, ...rest } = event;
  const hasData = (data !== undefined && data.length > 0) || event.datacontenttype !== undefined;
  return hasData ? { ...rest, data: data ?? new Uint8Array() } : rest;
}

describe('http codec properties: decode(encode(e)) equals e', () => {
  it('binary mode', () => {
    fc.assert(
      fc.property(cloudEvent, (event) => {
        const message = encodeBinary(event);
        // Every header is one fetch and node:http can send: printable US-ASCII.
        for (const value of Object.values(message.headers)) expect(value).toMatch(/^[\x20-\x7e]*$/);
        expect(decode(received(message)).events).toEqual([binaryReadBack(event)]);
      }),
      RUNS,
    );
  });

  it('structured mode', () => {
    fc.assert(
      fc.property(cloudEvent, (event) => {
        const { mode, events } = decode(received(encodeStructured(event)));
        expect(mode).toBe('structured');
        expect(events).toEqual([structuredReadBack(event)]);
      }),
      RUNS,
    );
  });

  it('batch mode', () => {
    fc.assert(
      fc.property(fc.array(cloudEvent, { maxLength: 5 }), (batch) => {
        const { mode, events } = decode(received(encodeBatch(batch)));
        expect(mode).toBe('batch');
        expect(events).toEqual(batch.map(structuredReadBack));
      }),
      { numRuns: Math.ceil(RUNS.numRuns / 3) },
    );
  });
});

const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/cloudevents+json',
      'application/cloudevents-batch+json',
      'application/cloudevents+avro',
      'APPLICATION/CLOUDEVENTS+JSON; charset=utf-8',
      'application/json',
    ),
    headerText,
  ),
  { nil: undefined },
);

const headerValue = fc.oneof(headerText, fc.array(headerText, { maxLength: 3 }), fc.constant(undefined));

/** A request's headers: ce- attributes (some CloudEvents asks for, some nobody should send) and others. */
const headers = fc
  .tuple(
    fc.dictionary(
      fc.oneof(
        extensionName.map((name) => `ce-${name}`),
        fc.constantFrom('ce-specversion', 'ce-id', 'ce-source', 'ce-type', 'ce-time', 'ce-', 'ce-__proto__', 'ce-ID'),
        fc.string({ maxLength: 8 }),
      ),
      headerValue,
      { maxKeys: 8 },
    ),
    fc.option(fc.constantFrom('1.0', '0.3', ''), { nil: undefined }),
    contentType,
  )
  .map(([rest, specversion, type]) => ({
    ...rest,
    ...(specversion === undefined ? {} : { 'ce-specversion': specversion }),
    ...(type === undefined ? {} : { 'content-type': type }),
  }));

const body = fc.oneof(
  anyBytes,
  deepJson.map((json) => new TextEncoder().encode(json)),
  fc
    .array(fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }), { maxLength: 3 })
    .map((members) => new TextEncoder().encode(JSON.stringify(members))),
);

/** decode's answer: its events, or the InvalidEventError it declares. Anything else fails the property. */
function outcome(message: HttpMessage): CloudEvent[] | InvalidEventError {
  try {
    return decode(message).events;
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
}

describe('http codec properties: any request reads as events or an InvalidEventError', () => {
  it('any headers and body', () => {
    fc.assert(
      fc.property(headers, body, (h, b) => {
        const result = outcome({ headers: h, body: b });
        if (result instanceof InvalidEventError) expect(result.message).not.toBe('');
        else
          for (const event of result) {
            expect(violations(event)).toEqual([]);
            // Binary mode reads attributes from header bytes: only printable US-ASCII
            // (percent-decoded for ce- headers) is text, never a Latin-1 re-reading.
            if (!('content-type' in h) || !String(h['content-type']).toLowerCase().includes('cloudevents')) {
              expect(event.datacontenttype ?? '').toMatch(/^[\x20-\x7e\t]*$/);
            }
          }
      }),
      RUNS,
    );
  });

  it('structured and batch bodies of any JSON, however deep', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('application/cloudevents+json', 'application/cloudevents-batch+json'),
        fc.oneof(
          deepJson,
          fc.json({ maxDepth: 5 }),
          fc.array(fc.json({ maxDepth: 3 })).map((members) => `[${members.join(',')}]`),
        ),
        (type, json) => {
          const result = outcome({ headers: { 'content-type': type }, body: new TextEncoder().encode(json) });
          expect(result instanceof InvalidEventError || Array.isArray(result)).toBe(true);
        },
      ),
      RUNS,
    );
  });
});
