/**
 * The CloudEvents Kafka Protocol Binding, v1.0.2 (kafka-protocol-binding.md): a pure
 * codec between Kafka records (in kafkajs's shapes) and spindle's CloudEvent.
 *
 * A record that is not a CloudEvent (no `ce_specversion` header, no CloudEvents
 * content type) is wrapped into one, never refused:
 *   id               `<topic>-<partition>-<offset>` (a redelivery keeps the id)
 *   source           `kafka://<topic>`
 *   type             configurable, `dev.spindle.kafka.message` by default
 *   time             the record's timestamp
 *   datacontenttype  the `content-type` header, when there is one
 *   partitionkey     the record key, when a CloudEvents String can hold it
 *   spindlekeybase64 else the record key's bytes in base64 (not UTF-8, or a control character)
 *   data             the value bytes, exactly
 * A binary or structured CloudEvent record with a key and neither extension gets the key
 * the same way, so that the key survives the component (the dispatcher gives it to every
 * emitted event that names no key of its own) and the sink keys the output record with it.
 * A record that claims to be a CloudEvent but is not a valid one is undecodable: the
 * result says why, and carries the record wrapped as above for the dead-letter sink.
 *
 * Why not the SDK's Kafka binding: it parses JSON data and invents a `time`; spindle
 * keeps data bytes and attributes exact.
 */
import {
  attributes,
  type CloudEvent,
  decodeUtf8,
  fromAttributes,
  fromStructured,
  hasPartitionKey,
  InvalidEventError,
  MAX_TIME_MS,
  parseJsonWithin,
  partitionKeyExtension,
  partitionKeyOf,
  timeFromMillis,
  toStructured,
  utf8,
  violations,
} from '../../src/adapter.ts';

/** A header value as kafkajs gives it (Buffer when consumed, string when produced). */
export type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** A consumed record: kafkajs's `EachMessagePayload` flattened. */
export interface KafkaRecord {
  topic: string;
  partition: number;
  /** kafkajs's `message.offset`. */
  offset: string;
  key?: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, KafkaHeaderValue>;
  /** Milliseconds since the epoch, as a string (kafkajs's `message.timestamp`). */
  timestamp?: string;
}

/** A record to produce: assignable to kafkajs's `Message`. */
export interface KafkaMessageOut {
  key: Buffer | string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export type KafkaMode = 'binary' | 'structured';

export type KafkaDecoded =
  | { ok: true; mode: KafkaMode | 'wrapped'; event: CloudEvent; key: Buffer | null }
  | { ok: false; error: InvalidEventError; raw: CloudEvent; key: Buffer | null };

export interface KafkaDecodeOptions {
  /** `type` of a wrapped record; `dev.spindle.kafka.message` unless told. */
  type?: string;
}

export interface KafkaEncodeOptions {
  mode: KafkaMode;
  /**
   * The record key. "Every implementation MUST, by default, map the user provided record
   * key to the Kafka record key" (3.1): given, it wins over `partitionkey`.
   */
  key?: Buffer | string | null;
}

export const DEFAULT_TYPE = 'dev.spindle.kafka.message';
const STRUCTURED = 'application/cloudevents+json';
// 3.2.3.1: "CloudEvent attributes are prefixed with `ce_` for use in the message-headers
// section."
const PREFIX = 'ce_';

export function decode(record: KafkaRecord, options: KafkaDecodeOptions = {}): KafkaDecoded {
  const key = record.key ?? null;
  const raw = () => wrap(record, options);
  const fail = (reason: string): KafkaDecoded => ({
    ok: false,
    error: new InvalidEventError(`kafka record ${coordinates(record)}: ${reason}`),
    raw: raw(),
    key,
  });
  const headers = readHeaders(record.headers);
  if (!headers.ok) return fail(headers.reason);
  const contentType = headers.values['content-type'];
  const media = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  // 3: "If the header is present and its value is prefixed with the CloudEvents media
  // type `application/cloudevents` (matched case-insensitively) ... the receiver uses
  // structured mode, otherwise it defaults to binary mode."
  if (media.startsWith('application/cloudevents')) {
    if (media !== STRUCTURED) return fail(`unsupported event format '${media}' (spindle reads ${STRUCTURED})`);
    if (record.value === null) return fail('a structured-mode record must have a value');
    const text = decodeUtf8(record.value);
    if (text === undefined) return fail('the structured event is not UTF-8 text');
    let event: CloudEvent;
    try {
      event = fromStructured(parseJsonWithin(text));
    } catch (error) {
      return fail(`malformed structured event: ${error instanceof Error ? error.message : String(error)}`);
    }
    return checked(keyedByRecord(event, key), 'structured', key, fail);
  }
  // 3: "it would be reasonable for a receiver to assume that if the message has all of
  // the mandatory CloudEvents attributes as headers then it's probably a CloudEvent".
  // spindle takes `ce_specversion` as the claim, and holds the claim to the spec.
  if (headers.values[`${PREFIX}specversion`] === undefined) {
    if (timeOf(record) === 'out-of-range') {
      return fail(
        `field 'timestamp' (${record.timestamp} ms) is beyond the latest time a CloudEvent can carry (${MAX_TIME_MS} ms)`,
      );
    }
    // The record's own content-type may still be one no CloudEvent can carry (CR/LF...).
    return checked(raw(), 'wrapped', key, fail);
  }
  const attrs: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers.values)) {
    if (name.startsWith(PREFIX)) attrs[name.slice(PREFIX.length)] = value;
  }
  // 3.2.1: "the header `content-type` property MUST be mapped directly to the
  // CloudEvents `datacontenttype` attribute."
  if (contentType !== undefined) attrs.datacontenttype = contentType;
  // 3.2.2: "The data byte-sequence MUST be used as the value of the Kafka message";
  // "a CloudEvent with no data is a Kafka message with no value."
  const data = record.value === null ? undefined : new Uint8Array(record.value);
  return checked(keyedByRecord(fromAttributes(attrs, data), key), 'binary', key, fail);
}

/** The event with the record key as its partition key, unless it names one (see the top). */
function keyedByRecord(event: CloudEvent, key: Buffer | null): CloudEvent {
  if (key === null || hasPartitionKey(event)) return event;
  return { ...event, extensions: { ...event.extensions, ...partitionKeyExtension(key) } };
}

export function encode(event: CloudEvent, options: KafkaEncodeOptions): KafkaMessageOut {
  // 3.1: "an opt-in 'Key Mapper' implementation that maps the Partitioning
  // `partitionkey` attribute value to the 'key' of the Kafka message as-is" -- spindle's
  // default when no key is given (else the bytes of `spindlekeybase64`); the extensions
  // themselves stay on the event.
  const key = options.key !== undefined ? options.key : (partitionKeyOf(event) ?? null);
  // 3: a receiver takes a record whose content-type starts with `application/cloudevents`
  // as structured. An event whose data is itself in an event format (say, an undecodable
  // structured record, wrapped for the dead-letter sink) cannot go in binary mode without
  // being misread, so it goes structured: its data travels as data_base64, exactly.
  if (options.mode === 'structured' || isEventFormat(event.datacontenttype)) {
    // 3.3.1: "the Kafka message header property `content-type` MUST be set to the media
    // type of an event format"; 3.3.2: the rendered event "becomes the Kafka application
    // data section".
    return {
      key,
      value: Buffer.from(utf8(JSON.stringify(toStructured(event)))),
      headers: { 'content-type': `${STRUCTURED}; charset=UTF-8` },
    };
  }
  // 3.2.3: "All CloudEvents attributes ... with exception of data MUST be individually
  // mapped to and from the Header fields"; datacontenttype is the `content-type` header.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes(event))) {
    if (name === 'datacontenttype') headers['content-type'] = value;
    else headers[PREFIX + name] = value;
  }
  const value =
    event.data === undefined ? null : Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength);
  return { key, value, headers };
}

function isEventFormat(contentType: string | undefined): boolean {
  return contentType?.trim().toLowerCase().startsWith('application/cloudevents') ?? false;
}

/** The record as a CloudEvent of its own (see the top of this file). */
export function wrap(record: KafkaRecord, options: KafkaDecodeOptions = {}): CloudEvent {
  const headers = readHeaders(record.headers);
  const contentType = headers.ok ? headers.values['content-type'] : undefined;
  const time = timeOf(record);
  return fromAttributes(
    {
      specversion: '1.0',
      id: `${record.topic}-${record.partition}-${record.offset}`,
      source: `kafka://${record.topic}`,
      type: options.type ?? DEFAULT_TYPE,
      ...(typeof time === 'object' ? time : {}),
      ...(contentType === undefined ? {} : { datacontenttype: contentType }),
      ...(record.key ? partitionKeyExtension(record.key) : {}),
    },
    record.value === null ? undefined : new Uint8Array(record.value),
  );
}

function checked(
  event: CloudEvent,
  mode: KafkaMode | 'wrapped',
  key: Buffer | null,
  fail: (reason: string) => KafkaDecoded,
): KafkaDecoded {
  const problems = violations(event);
  return problems.length === 0 ? { ok: true, mode, event, key } : fail(`invalid CloudEvent: ${problems.join('; ')}`);
}

/**
 * Header names in lower case, values as text. 3.2.3: "Both header keys and header values
 * MUST be encoded as UTF-8 strings." A repeated header counts once, its first value.
 */
function readHeaders(
  headers: Record<string, KafkaHeaderValue> | undefined,
): { ok: true; values: Record<string, string> } | { ok: false; reason: string } {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined) continue;
    const text = typeof first === 'string' ? first : decodeUtf8(first);
    const lower = name.toLowerCase();
    if (text === undefined) {
      if (lower.startsWith(PREFIX) || lower === 'content-type') {
        return { ok: false, reason: `header '${name}' is not UTF-8 text` };
      }
      continue; // not a CloudEvents header: none of our business
    }
    if (!Object.hasOwn(values, lower)) values[lower] = text;
  }
  return { ok: true, values };
}

function timeOf(record: KafkaRecord): ReturnType<typeof timeFromMillis> {
  return timeFromMillis(record.timestamp === undefined ? Number.NaN : Number(record.timestamp));
}

function coordinates(record: KafkaRecord): string {
  return `${record.topic}/${record.partition}@${record.offset}`;
}
