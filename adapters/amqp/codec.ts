/**
 * CloudEvents on AMQP 0-9-1 (RabbitMQ), a pure codec. There is no official binding for
 * AMQP 0-9-1; spindle follows Knative's RabbitMQ broker and source
 * (knative-extensions/eventing-rabbitmq, pkg/rabbit/message.go), so that events pass
 * between spindle and Knative unchanged, and reads the CloudEvents AMQP 1.0 binding's
 * prefixes too (amqp-protocol-binding.md).
 *
 * Writing, binary mode (the default), as Knative's CloudEventToRabbitMQMessage does:
 *   headers             every attribute under its own name, no prefix: `specversion`,
 *                       `id`, `source`, `type`, `subject`, `time`, extensions... (so a
 *                       RabbitMQ headers exchange can route on them, as Knative triggers
 *                       do), and `content-type` = datacontenttype
 *   contentType         datacontenttype ("the AMQP content-type property field value maps
 *                       directly to the CloudEvents datacontenttype attribute", 3.1.1)
 *   messageId           id
 *   body                the data bytes, exactly (3.1.2)
 *   `headerPrefix` writes `ce-`, `ce_` or `cloudEvents_` names instead.
 * Writing, structured mode: contentType `application/cloudevents+json` and the JSON Event
 * Format as body (3.2.1: "The AMQP content-type property field is set to the media type
 * of an event format"); messageId = id.
 *
 * Reading:
 *   structured  when contentType (or a `content-type` header) is application/cloudevents+json
 *               and no `specversion` header exists (with one, it is binary mode: an event
 *               whose datacontenttype is an event format, e.g. a dead-lettered malformed
 *               structured message, written in binary mode, reads back unchanged)
 *   binary      when a `specversion` header exists, bare (Knative today) or prefixed `ce-`
 *               (Knative before 1.0), `ce_`, `cloudEvents_` (AMQP binding 1.0.2) or
 *               `cloudEvents:` (later drafts); header names are matched in lower case
 *               and only headers of that one convention are read. Bare names skip
 *               headers that cannot be attribute names (`x-death`, `x-first-death-...`).
 *               datacontenttype: a `datacontenttype` header, else the `content-type`
 *               header, else the contentType property. Values: strings as they are,
 *               numbers and booleans in canonical string form (3.1.3.2: an implementation
 *               "MUST be able to interpret both forms"), byte arrays as UTF-8.
 *   otherwise   the message is wrapped into an event, never refused (Knative's
 *               ConvertToCloudEvent, with spindle's names):
 *                 id               the messageId property, else a new UUID
 *                 source           `amqp://<queue>`
 *                 type             configurable, `dev.spindle.amqp.message` by default
 *                 subject          the routing key, when not empty
 *                 time             the timestamp property (seconds since the epoch)
 *                 datacontenttype  the contentType property
 *                 data             the body bytes, exactly
 * An empty body is an event without data (an AMQP message always has a body).
 * A message that claims to be an event but is not a valid one is undecodable: the result
 * says why and carries the message wrapped as above, for the dead-letter sink.
 */
import { randomUUID } from 'node:crypto';
import {
  attributes,
  type CloudEvent,
  decodeUtf8,
  forbiddenCharacter,
  fromAttributes,
  fromStructured,
  InvalidEventError,
  isAttributeName,
  MAX_TIME_MS,
  parseJsonWithin,
  timeFromMillis,
  toStructured,
  utf8,
  violations,
} from '../../src/adapter.ts';

/** What amqplib's `ConsumeMessage` has that the codec reads, with the queue it came from. */
export interface AmqpDelivery {
  queue: string;
  content: Buffer;
  fields: { exchange: string; routingKey: string };
  properties: {
    contentType?: unknown;
    messageId?: unknown;
    timestamp?: unknown;
    headers?: Record<string, unknown> | undefined;
  };
}

/** A message to publish: `channel.publish(exchange, routingKey, content, options)`. */
export interface AmqpMessageOut {
  content: Buffer;
  options: { contentType?: string; messageId?: string; headers: Record<string, string> };
}

export type AmqpMode = 'binary' | 'structured';
export type HeaderPrefix = '' | 'ce-' | 'ce_' | 'cloudEvents_';

export type AmqpDecoded =
  | { ok: true; mode: AmqpMode | 'wrapped'; event: CloudEvent }
  | { ok: false; error: InvalidEventError; raw: CloudEvent };

export interface AmqpDecodeOptions {
  /** `type` of a wrapped message; `dev.spindle.amqp.message` unless told. */
  type?: string;
  /** Id of a wrapped message without messageId; a random UUID unless told. */
  newId?: () => string;
}

export interface AmqpEncodeOptions {
  mode: AmqpMode;
  /** Binary mode's header names: bare (Knative, the default) or prefixed. */
  headerPrefix?: HeaderPrefix;
}

export const DEFAULT_TYPE = 'dev.spindle.amqp.message';
const STRUCTURED = 'application/cloudevents+json';
/** Header conventions, in the order they are tried, in lower case. */
const PREFIXES = ['', 'ce-', 'ce_', 'cloudevents_', 'cloudevents:'] as const;

export function decode(message: AmqpDelivery, options: AmqpDecodeOptions = {}): AmqpDecoded {
  const raw = () => wrap(message, options);
  const where = `amqp message on queue ${message.queue}`;
  const fail = (reason: string): AmqpDecoded => ({
    ok: false,
    error: new InvalidEventError(`${where}: ${reason}`),
    raw: raw(),
  });
  const headers = lowerCased(message.properties.headers);
  const contentType = text(message.properties.contentType) ?? scalar(headers['content-type']);
  const media = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  const prefix = PREFIXES.find((p) => headers[`${p}specversion`] !== undefined);
  // A structured message carries no attribute headers; one that has a specversion header
  // is binary mode whose own datacontenttype is an event format (a dead-lettered
  // malformed structured message, say): reading it as binary keeps the round trip exact.
  if (media.startsWith('application/cloudevents') && prefix === undefined) {
    if (media !== STRUCTURED) return fail(`unsupported event format '${media}' (spindle reads ${STRUCTURED})`);
    const json = decodeUtf8(message.content);
    if (json === undefined) return fail('the structured event is not UTF-8 text');
    try {
      return checked(fromStructured(parseJsonWithin(json)), 'structured', fail);
    } catch (error) {
      return fail(`malformed structured event: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (prefix === undefined) {
    if (timeOf(message) === 'out-of-range') {
      return fail(
        `property 'timestamp' (${message.properties.timestamp} s) is beyond the latest time a CloudEvent can carry (${MAX_TIME_MS / 1000} s)`,
      );
    }
    // The message's own messageId or contentType may still be one no CloudEvent can carry.
    return checked(raw(), 'wrapped', fail);
  }
  const attrs: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(prefix)) continue;
    const attribute = name.slice(prefix.length);
    // Bare names share the table with every other header: take those that can be
    // attribute names. With a prefix, every prefixed header is an attribute.
    if (prefix === '' && !isAttributeName(attribute)) continue;
    const string = scalar(value);
    if (string === undefined) return fail(`header '${name}' is not a string, number, boolean or UTF-8 bytes`);
    attrs[attribute] = string;
  }
  const headerType = scalar(headers['content-type']);
  attrs.datacontenttype ??= headerType ?? text(message.properties.contentType) ?? '';
  if (attrs.datacontenttype === '') delete attrs.datacontenttype;
  return checked(fromAttributes(attrs, body(message)), 'binary', fail);
}

export function encode(event: CloudEvent, options: AmqpEncodeOptions): AmqpMessageOut {
  if (options.mode === 'structured') {
    return {
      content: Buffer.from(utf8(JSON.stringify(toStructured(event)))),
      options: { contentType: `${STRUCTURED}; charset=utf-8`, ...shortString('messageId', event.id), headers: {} },
    };
  }
  const prefix = options.headerPrefix ?? '';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes(event))) {
    if (name === 'datacontenttype') headers['content-type'] = value;
    else headers[prefix + name] = value;
  }
  const data = event.data ?? new Uint8Array();
  return {
    content: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    options: {
      ...(event.datacontenttype === undefined ? {} : shortString('contentType', event.datacontenttype)),
      ...shortString('messageId', event.id),
      headers,
    },
  };
}

/**
 * `{ [property]: value }`, or nothing when `value` is longer than an AMQP shortstr (255
 * bytes), which amqplib refuses on every publish. Nothing is lost: the attribute travels
 * in its header (binary mode) or in the body (structured mode) all the same.
 */
function shortString<K extends string>(property: K, value: string): { [P in K]?: string } {
  return (Buffer.byteLength(value) <= 255 ? { [property]: value } : {}) as { [P in K]?: string };
}

/** The message as a CloudEvent of its own (see the top of this file). */
export function wrap(message: AmqpDelivery, options: AmqpDecodeOptions = {}): CloudEvent {
  const { messageId, contentType } = message.properties;
  const time = timeOf(message);
  const routingKey = message.fields.routingKey;
  return fromAttributes(
    {
      specversion: '1.0',
      id: text(messageId) || (options.newId ?? randomUUID)(),
      source: `amqp://${message.queue}`,
      type: options.type ?? DEFAULT_TYPE,
      // subject is a courtesy copy of the routing key: left out when no CloudEvents
      // string can hold it, rather than refusing the message for it.
      ...(routingKey && forbiddenCharacter(routingKey) === undefined ? { subject: routingKey } : {}),
      ...(typeof time === 'object' ? time : {}),
      ...(text(contentType) ? { datacontenttype: text(contentType) } : {}),
    },
    body(message),
  );
}

/** The AMQP `timestamp` property (seconds since the epoch) as a `time`. */
function timeOf(message: AmqpDelivery): ReturnType<typeof timeFromMillis> {
  const { timestamp } = message.properties;
  return timeFromMillis(typeof timestamp === 'number' ? timestamp * 1000 : Number.NaN);
}

/** An AMQP body always exists: an empty one is an event without data. */
function body(message: AmqpDelivery): Uint8Array | undefined {
  return message.content.length === 0 ? undefined : new Uint8Array(message.content);
}

function checked(event: CloudEvent, mode: AmqpMode | 'wrapped', fail: (reason: string) => AmqpDecoded): AmqpDecoded {
  const problems = violations(event);
  return problems.length === 0 ? { ok: true, mode, event } : fail(`invalid CloudEvent: ${problems.join('; ')}`);
}

function lowerCased(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    // Own names only: `constructor` is a header like any other, not Object.prototype's.
    if (!Object.hasOwn(out, lower) && value !== undefined && value !== null) out[lower] = value;
  }
  return out;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A header value's canonical string form, or undefined when it has none. */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return decodeUtf8(value);
  return undefined;
}
