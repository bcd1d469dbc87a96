/**
 * Properties of the Kafka binding codec: any valid event reads back as it was written, in
 * binary and structured mode; any record reads as an event or as a result saying why it
 * is not one (with the record wrapped for the dead-letter sink), never as an exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, type KafkaMessageOut, type KafkaRecord } from '../../adapters/kafka/codec.ts';
import { violations } from '../../src/event.ts';
import { anyBytes, cloudEvent, extensionName, headerText, oddNumber, RUNS } from '../support/cloud-event-arbitrary.ts';
import { structuredReadBack } from '../support/structured-read-back.ts';

/** What kafkajs hands a consumer for a produced message: Buffers everywhere. */
function consumed(message: KafkaMessageOut): KafkaRecord {
  const headers = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v)]));
  const key = message.key === null ? null : Buffer.from(message.key);
  return { topic: 'orders', partition: 0, offset: '7', key, value: message.value, headers, timestamp: '1700000000000' };
}

describe('kafka codec properties: decode(encode(e)) equals e', () => {
  it('binary mode (an event whose datacontenttype is an event format goes structured, see encode)', () => {
    fc.assert(
      fc.property(cloudEvent, (event) => {
        const result = decode(consumed(encode(event, { mode: 'binary' })));
        expect(result.ok && result.event).toEqual(
          event.datacontenttype?.toLowerCase().startsWith('application/cloudevents')
            ? structuredReadBack(event)
            : event,
        );
      }),
      RUNS,
    );
  });

  it('structured mode', () => {
    fc.assert(
      fc.property(cloudEvent, (event) => {
        const result = decode(consumed(encode(event, { mode: 'structured' })));
        expect(result.ok && result.event).toEqual(structuredReadBack(event));
      }),
      RUNS,
    );
  });
});

const headerValue = fc.oneof(
  headerText,
  anyBytes.map((bytes) => Buffer.from(bytes)),
  fc.array(
    fc.oneof(
      headerText,
      anyBytes.map((bytes) => Buffer.from(bytes)),
    ),
    { maxLength: 3 },
  ),
  fc.constant(undefined),
);

const record: fc.Arbitrary<KafkaRecord> = fc.record({
  topic: fc.stringMatching(/^[a-zA-Z0-9._-]{1,20}$/),
  partition: fc.nat(100),
  offset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
  key: fc.option(
    anyBytes.map((bytes) => Buffer.from(bytes)),
    { nil: null },
  ),
  value: fc.option(
    anyBytes.map((bytes) => Buffer.from(bytes)),
    { nil: null },
  ),
  headers: fc.dictionary(
    fc.oneof(
      extensionName.map((name) => `ce_${name}`),
      fc.constantFrom(
        'ce_specversion',
        'ce_id',
        'ce_source',
        'ce_type',
        'ce_time',
        'content-type',
        'CE_ID',
        '__proto__',
      ),
      fc.string({ maxLength: 8 }),
    ),
    headerValue,
    { maxKeys: 8 },
  ),
  timestamp: fc.oneof(oddNumber.map(String), fc.string({ maxLength: 8 }), fc.constant('9223372036854775807')),
});

describe('kafka codec properties: any record reads as an event or a reason', () => {
  it('gives a valid event, or an InvalidEventError and the record wrapped for the dead-letter sink', () => {
    fc.assert(
      fc.property(record, (r) => {
        const result = decode(r);
        // What goes on is valid: to the component, or to the dead-letter sink.
        if (result.ok) expect(violations(result.event)).toEqual([]);
        else {
          expect(result.error.message).toMatch(/^kafka record /);
          expect(() => encode(result.raw, { mode: 'binary' })).not.toThrow();
        }
      }),
      RUNS,
    );
  });
});
