/**
 * spindle's Redis binding for CloudEvents (Redis has no official one), a pure codec.
 * It is structured mode, the JSON Event Format (json-format.md) as the payload:
 *
 *   pub/sub        the message is the event's JSON
 *   stream entry   the field `event` holds the event's JSON (other fields are ignored)
 *
 * Anything else is wrapped into an event, never refused:
 *
 *   pub/sub message without `specversion`:  id a new UUID (pub/sub has no message id),
 *     source `redis://<channel>`, data the message bytes exactly
 *   stream entry without an `event` field:  id `<stream>-<entry id>` (a redelivery keeps
 *     the id), source `redis://<stream>`, data the entry's fields as a JSON object,
 *     datacontenttype application/json
 *   type  configurable, `dev.spindle.redis.message` by default
 *
 * A payload that claims to be an event (a JSON object with `specversion`, or an `event`
 * field) but is not a valid one is undecodable: the result says why and carries the
 * payload wrapped as above (for a stream entry: the `event` field's bytes as data, no
 * datacontenttype), for the dead-letter sink.
 *
 * Data bytes are kept exact (see toStructured).
 */
import { randomUUID } from 'node:crypto';
import {
  type CloudEvent,
  decodeUtf8,
  fromAttributes,
  fromStructured,
  InvalidEventError,
  parseJsonWithin,
  toStructured,
  utf8,
  violations,
} from '../../src/adapter.ts';

export type RedisDecoded =
  | { ok: true; mode: 'structured' | 'wrapped'; event: CloudEvent }
  | { ok: false; error: InvalidEventError; raw: CloudEvent };

export interface RedisDecodeOptions {
  /** `type` of a wrapped payload; `dev.spindle.redis.message` unless told. */
  type?: string;
  /** Id of a wrapped pub/sub message; a random UUID unless told. */
  newId?: () => string;
}

/** A field name or value: bytes as Redis keeps them (or text, which is taken as UTF-8). */
export type FieldValue = string | Uint8Array;

/** A stream entry's fields: ioredis's flat `[field, value, ...]` list, or an object. */
export type StreamFields = readonly FieldValue[] | Readonly<Record<string, FieldValue>>;

export const DEFAULT_TYPE = 'dev.spindle.redis.message';
/** The stream entry field that holds the event. */
export const EVENT_FIELD = 'event';

/** Read a pub/sub message received on `channel` (the channel itself, not the pattern). */
export function decodeMessage(channel: string, message: Uint8Array, options: RedisDecodeOptions = {}): RedisDecoded {
  const raw = () =>
    wrapped(`redis://${channel}`, (options.newId ?? randomUUID)(), options, undefined, new Uint8Array(message));
  const text = decodeUtf8(message);
  const json = text === undefined ? undefined : parse(text);
  // Only a JSON object with `specversion` claims to be an event; any other payload is data.
  if (json === undefined || !json.ok || !isObject(json.value) || !('specversion' in json.value)) {
    return checkedWrap(raw(), `redis message on ${channel}`);
  }
  return structured(json.value, `redis message on ${channel}`, raw);
}

/** Read a stream entry (`XREADGROUP`/`XRANGE` gives id and fields). */
export function decodeEntry(
  stream: string,
  entryId: string,
  fields: StreamFields,
  options: RedisDecodeOptions = {},
): RedisDecoded {
  const object = fieldBytes(fields);
  const wrap = (contentType: string | undefined, data: Uint8Array) =>
    wrapped(`redis://${stream}`, `${stream}-${entryId}`, options, contentType, data);
  const where = `redis stream ${stream} entry ${entryId}`;
  const payload = object[EVENT_FIELD];
  if (payload === undefined) {
    const texts = fieldTexts(object);
    if ('notText' in texts) {
      // JSON cannot carry those bytes: the dead-letter event keeps every value exact, in base64.
      const base64 = Object.fromEntries(
        Object.entries(object).map(([name, value]) => [name, Buffer.from(value).toString('base64')]),
      );
      return failure(
        where,
        `field '${texts.notText}' is not UTF-8 text, and an entry without an '${EVENT_FIELD}' field is wrapped ` +
          'as a JSON object of its fields (the dead-lettered data holds each value in base64)',
        () => wrap('application/json', utf8(JSON.stringify(base64))),
      );
    }
    return checkedWrap(wrap('application/json', utf8(JSON.stringify(texts.values))), where);
  }
  // An undecodable `event` field is dead-lettered as it was written: its bytes exactly.
  const rawPayload = () => wrap(undefined, new Uint8Array(payload));
  const text = decodeUtf8(payload);
  if (text === undefined) return failure(where, `field '${EVENT_FIELD}' is not UTF-8 text`, rawPayload);
  const json = parse(text);
  if (!json.ok) return failure(where, `malformed JSON in field '${EVENT_FIELD}': ${json.reason}`, rawPayload);
  return structured(json.value, where, rawPayload);
}

/**
 * The pub/sub message for `event`: its JSON Event Format, data bytes exact (toStructured
 * writes as `data_base64` what a `data` member would not carry byte for byte).
 */
export function encodeMessage(event: CloudEvent): string {
  return JSON.stringify(toStructured(event));
}

/** Stream entry fields for `event`, as `XADD` takes them: `['event', <JSON>]`. */
export function encodeEntry(event: CloudEvent): [string, string] {
  return [EVENT_FIELD, encodeMessage(event)];
}

function structured(value: unknown, where: string, raw: () => CloudEvent): RedisDecoded {
  let event: CloudEvent;
  try {
    event = fromStructured(value);
  } catch (error) {
    return failure(where, `malformed structured event: ${error instanceof Error ? error.message : String(error)}`, raw);
  }
  const problems = violations(event);
  if (problems.length > 0) return failure(where, `invalid CloudEvent: ${problems.join('; ')}`, raw);
  return { ok: true, mode: 'structured', event };
}

/** A wrapped payload is valid unless its channel or stream name holds what no CloudEvents string may. */
function checkedWrap(event: CloudEvent, where: string): RedisDecoded {
  const problems = violations(event);
  if (problems.length > 0) return failure(where, `invalid CloudEvent: ${problems.join('; ')}`, () => event);
  return { ok: true, mode: 'wrapped', event };
}

function failure(where: string, reason: string, raw: () => CloudEvent): RedisDecoded {
  return { ok: false, error: new InvalidEventError(`${where}: ${reason}`), raw: raw() };
}

function wrapped(
  source: string,
  id: string,
  options: RedisDecodeOptions,
  datacontenttype: string | undefined,
  data: Uint8Array,
): CloudEvent {
  return fromAttributes(
    {
      specversion: '1.0',
      id,
      source,
      type: options.type ?? DEFAULT_TYPE,
      ...(datacontenttype === undefined ? {} : { datacontenttype }),
    },
    data,
  );
}

/** Field name -> value bytes; a repeated field keeps its last value, as HGETALL-style readers do. */
export function fieldBytes(fields: StreamFields): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const bytes = (value: FieldValue) => (typeof value === 'string' ? utf8(value) : value);
  if (!isFlatList(fields)) {
    for (const [name, value] of Object.entries(fields)) out[name] = bytes(value);
    return out;
  }
  for (let i = 0; i + 1 < fields.length; i += 2) {
    out[Buffer.from(bytes(fields[i] as FieldValue)).toString()] = bytes(fields[i + 1] as FieldValue);
  }
  return out;
}

/** Every value as text, or the first field whose value is not UTF-8. */
function fieldTexts(fields: Record<string, Uint8Array>): { values: Record<string, string> } | { notText: string } {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    const text = decodeUtf8(value);
    if (text === undefined) return { notText: name };
    values[name] = text;
  }
  return { values };
}

function isFlatList(fields: StreamFields): fields is readonly FieldValue[] {
  return Array.isArray(fields);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parse(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: parseJsonWithin(text) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
