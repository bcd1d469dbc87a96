/**
 * fast-check arbitraries shared by the codec property tests: valid spindle CloudEvents
 * (src/event.ts) and the hostile inputs every codec must answer with an event or an error
 * it declares.
 */
import fc from 'fast-check';
import { type CloudEvent, CONTEXT_ATTRIBUTES, forbiddenCharacter } from '../../src/event.ts';

/**
 * Runs per property: enough to find the edge cases, few enough to keep a file well under
 * 20 s. FC_RUNS=20000 hunts longer by hand.
 */
export const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 300) };

/**
 * A CloudEvents String (spec 1.0.2, Type System): any Unicode text without the control
 * characters, lone surrogates and noncharacters the spec forbids.
 */
export const printableString = (constraints: { minLength?: number; maxLength?: number } = {}) =>
  fc
    .oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: 24, ...constraints }),
      fc.string({ unit: 'grapheme', maxLength: 24, ...constraints }),
    )
    .filter((value) => forbiddenCharacter(value) === undefined);

const RESERVED = new Set<string>([...CONTEXT_ATTRIBUTES, 'data', 'data_base64']);

/** An extension name: lower-case ASCII letters and digits, not a context attribute's. */
export const extensionName = fc.stringMatching(/^[a-z0-9]{1,20}$/).filter((name) => !RESERVED.has(name));

/** An RFC 3339 date-time, as `time` wants: any fraction, `T`/`t`/space, `Z` or an offset. */
export const rfc3339 = fc
  .record({
    date: fc.date({
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    }),
    separator: fc.constantFrom('T', 't', ' '),
    fraction: fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
    zone: fc.constantFrom('Z', 'z', '+00:00', '+05:30', '-08:00', '+14:00'),
  })
  .map(({ date, separator, fraction, zone }) => {
    const [day, clock] = date.toISOString().slice(0, 19).split('T') as [string, string];
    return `${day}${separator}${clock}${fraction === undefined ? '' : `.${fraction}`}${zone}`;
  });

const token = fc.stringMatching(/^[a-z0-9][a-z0-9.+-]{0,15}$/);

/** A media type (RFC 2046) as `datacontenttype`, JSON and text ones often, with parameters now and then. */
export const mediaType = fc
  .tuple(
    fc.oneof(
      fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'application/xml', 'text/json'),
      fc.constantFrom('application/vnd.example+json', 'application/cloudevents+json', 'APPLICATION/JSON'),
      fc.tuple(token, token).map(([type, subtype]) => `${type}/${subtype}`),
    ),
    fc.option(
      fc.oneof(
        fc.constantFrom('; charset=utf-8', ';charset=UTF-8', '; version=2'),
        // RFC 2231 would encode a non-ASCII parameter; a producer may not have.
        printableString({ minLength: 1, maxLength: 6 }).map((name) => `; name="${name}"`),
      ),
      { nil: '' },
    ),
  )
  .map(([media, parameters]) => media + parameters);

/** Data: arbitrary bytes, or text and JSON (which structured modes carry as `data` members). */
export const dataBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.json({ maxDepth: 3 }).map((json) => new TextEncoder().encode(json)),
  printableString().map((text) => new TextEncoder().encode(text)),
);

/** Any valid spindle CloudEvent. */
export const cloudEvent: fc.Arbitrary<CloudEvent> = fc
  .record(
    {
      // Long now and then: AMQP's messageId is a shortstr of at most 255 bytes.
      id: fc.oneof(
        { arbitrary: printableString({ minLength: 1 }), weight: 9 },
        { arbitrary: printableString({ minLength: 90, maxLength: 300 }), weight: 1 },
      ),
      source: printableString({ minLength: 1 }),
      type: printableString({ minLength: 1 }),
      datacontenttype: mediaType,
      dataschema: printableString({ minLength: 1 }),
      subject: printableString(),
      time: rfc3339,
      extensions: fc.dictionary(extensionName, printableString(), { maxKeys: 4 }),
      data: dataBytes,
    },
    { requiredKeys: ['id', 'source', 'type', 'extensions'] },
  )
  .map((event) => ({ specversion: '1.0', ...event }));

/** Bytes a peer may send: anything, text with odd characters, or JSON. */
export const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 32 }).map((text) => new TextEncoder().encode(text)),
  fc.json({ maxDepth: 4 }).map((json) => new TextEncoder().encode(json)),
);

/** JSON nested `depth` levels deep, arrays or objects, as a hostile peer writes it. */
export const deepJson = fc
  .tuple(fc.integer({ min: 1, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** A header value as a string: printable text, Latin-1 bytes above U+007E (as node:http hands them over), controls. */
export const headerText = fc.oneof(
  printableString(),
  fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength: 16 }),
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.constantFrom('%', '%zz', '%ff%fe', '%C3%A9', '"quoted \\" value"', '1.0', ''),
);

/** A timestamp as a broker may give it: huge, negative, NaN, infinite, fractional, or fine. */
export const oddNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 0, 8.64e15, 8.64e15 + 1, 9e18),
  fc.integer({ min: 0, max: 4_102_444_800_000 }),
);

/** Any value a loosely typed client library may put where a string was expected. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  headerText,
  oddNumber,
  fc.bigInt(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes)),
  fc.date({ noInvalidDate: false }),
  fc.array(headerText, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), headerText, { maxKeys: 3 }),
);
