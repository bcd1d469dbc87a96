/**
 * Properties of the Redis codec: any valid event reads back as it was written, from a
 * pub/sub message and a stream entry; any message or entry reads as an event or as a
 * result saying why it is not one, never as an exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEntry, decodeMessage, encodeEntry, encodeMessage } from '../../adapters/redis/codec.ts';
import { violations } from '../../src/event.ts';
import { anyBytes, cloudEvent, deepJson, headerText, RUNS } from '../support/cloud-event-arbitrary.ts';
import { structuredReadBack } from '../support/structured-read-back.ts';

const fixedId = () => 'fixed-id';

describe('redis codec properties: decode(encode(e)) equals e', () => {
  it('pub/sub message', () => {
    fc.assert(
      fc.property(cloudEvent, (event) => {
        const result = decodeMessage('orders', Buffer.from(encodeMessage(event)));
        expect(result.ok && result.event).toEqual(structuredReadBack(event));
      }),
      RUNS,
    );
  });

  it('stream entry', () => {
    fc.assert(
      fc.property(cloudEvent, (event) => {
        const result = decodeEntry('orders', '1-0', encodeEntry(event));
        expect(result.ok && result.event).toEqual(structuredReadBack(event));
      }),
      RUNS,
    );
  });
});

const payload = fc.oneof(
  anyBytes,
  deepJson.map((json) => new TextEncoder().encode(json)),
);
const field = fc.oneof(headerText, payload);
/** A channel or stream name: Redis takes any bytes; spindle reads them as text. */
const name = fc.string({ unit: 'binary', minLength: 1, maxLength: 10 });

describe('redis codec properties: any payload reads as an event or a reason', () => {
  it('pub/sub message of any bytes', () => {
    fc.assert(
      fc.property(name, payload, (channel, message) => {
        const result = decodeMessage(channel, message, { newId: fixedId });
        if (result.ok) expect(violations(result.event)).toEqual([]);
        else expect(result.error.message.startsWith(`redis message on ${channel}: `)).toBe(true);
      }),
      RUNS,
    );
  });

  it('stream entry of any fields, flat list or object, with or without an event field', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(field, { maxLength: 7 }),
          fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constant('event')), field, { maxKeys: 4 }),
        ),
        name,
        (fields, stream) => {
          const result = decodeEntry(stream, '1-0', fields);
          if (result.ok) expect(violations(result.event)).toEqual([]);
          else expect(result.error.message.startsWith(`redis stream ${stream} entry 1-0: `)).toBe(true);
        },
      ),
      RUNS,
    );
  });
});
