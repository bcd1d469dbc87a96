/**
 * Properties of the AMQP 0-9-1 codec: any valid event reads back as it was written, in
 * binary mode (each header convention) and structured mode; any delivery, whatever types
 * its properties and headers hold, reads as an event or as a result saying why it is not
 * one, never as an exception.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AmqpDelivery,
  type AmqpMessageOut,
  decode,
  encode,
  type HeaderPrefix,
} from '../../adapters/amqp/codec.ts';
import { type CloudEvent, violations } from '../../src/event.ts';
import { anyBytes, cloudEvent, extensionName, oddNumber, oddValue, RUNS } from '../support/cloud-event-arbitrary.ts';
import { structuredReadBack } from '../support/structured-read-back.ts';

/** amqplib's own encoder of message properties: what `channel.publish` would refuse, it throws on. */
// lib/defs.js is outside amqplib's exports map: reached by path, beside its main file.
const requireHere = createRequire(import.meta.url);
const { encodeProperties } = requireHere(join(dirname(requireHere.resolve('amqplib')), 'lib', 'defs.js')) as {
  encodeProperties: (classId: number, channel: number, size: number, fields: object) => Buffer;
};
const BASIC_PROPERTIES = 60;

function publishable(message: AmqpMessageOut): AmqpMessageOut {
  expect(() => encodeProperties(BASIC_PROPERTIES, 1, message.content.length, message.options)).not.toThrow();
  return message;
}

function delivered(message: AmqpMessageOut): AmqpDelivery {
  return {
    queue: 'orders',
    content: message.content,
    fields: { exchange: 'x', routingKey: 'rk' },
    properties: { ...message.options },
  };
}

/** An AMQP message always has a body: an empty one is an event without data. */
function binaryReadBack(event: CloudEvent): CloudEvent {
  const { data, ...rest } = event;
  return data === undefined || data.length === 0 ? rest : event;
}

describe('amqp codec properties: decode(encode(e)) equals e', () => {
  it('binary mode, every header convention', () => {
    fc.assert(
      fc.property(
        cloudEvent,
        fc.constantFrom<HeaderPrefix>('', 'ce-', 'ce_', 'cloudEvents_'),
        (event, headerPrefix) => {
          const result = decode(delivered(publishable(encode(event, { mode: 'binary', headerPrefix }))));
          expect(result.ok && result.event).toEqual(binaryReadBack(event));
        },
      ),
      RUNS,
    );
  });

  it('structured mode', () => {
    fc.assert(
      fc.property(cloudEvent, (event) => {
        const result = decode(delivered(publishable(encode(event, { mode: 'structured' }))));
        expect(result.ok && result.event).toEqual(structuredReadBack(event));
      }),
      RUNS,
    );
  });
});

const headerName = fc.oneof(
  extensionName,
  extensionName.map((name) => `ce-${name}`),
  fc.constantFrom('specversion', 'SpecVersion', 'ce_specversion', 'cloudEvents:specversion', 'id', 'source', 'type'),
  fc.constantFrom('time', 'content-type', 'datacontenttype', 'x-death', '__proto__'),
  fc.string({ maxLength: 8 }),
);

const delivery: fc.Arbitrary<AmqpDelivery> = fc.record({
  queue: fc.string({ maxLength: 10 }),
  content: anyBytes.map((bytes) => Buffer.from(bytes)),
  fields: fc.record({
    exchange: fc.string({ maxLength: 5 }),
    routingKey: fc.string({ unit: 'binary', maxLength: 10 }),
  }),
  properties: fc.record(
    {
      contentType: fc.oneof(oddValue, fc.constantFrom('application/cloudevents+json', 'application/cloudevents+xml')),
      messageId: oddValue,
      timestamp: fc.oneof(oddNumber, oddValue),
      headers: fc.option(fc.dictionary(headerName, oddValue, { maxKeys: 8 }), { nil: undefined }),
    },
    { requiredKeys: [] },
  ),
});

describe('amqp codec properties: any delivery reads as an event or a reason', () => {
  it('gives a valid event, or an InvalidEventError and the message wrapped for the dead-letter sink', () => {
    fc.assert(
      fc.property(delivery, (message) => {
        const result = decode(message, { newId: () => 'new-id' });
        if (result.ok) expect(violations(result.event)).toEqual([]);
        else {
          expect(result.error.message).toMatch(/^amqp message on queue /);
          expect(() => encode(result.raw, { mode: 'binary' })).not.toThrow();
        }
      }),
      RUNS,
    );
  });
});
