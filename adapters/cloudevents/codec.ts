/**
 * The CloudEvents HTTP Protocol Binding, v1.0.2 (http-protocol-binding.md): a pure codec
 * between HTTP messages and spindle's CloudEvent.
 *
 * Why not the SDK's HTTP binding: cloudevents 10 invents a `time` the sender never set,
 * accepts `specversion: 0.9` and malformed times, and misreads Buffer bodies in structured
 * mode. A transformer in an event mesh must keep attributes and data bytes exact.
 */
import {
  attributes,
  type CloudEvent,
  DEFAULT_LIMITS,
  fromAttributes,
  fromStructured,
  InvalidEventError,
  jsonDepthExceeding,
  LimitExceededError,
  type Limits,
  limitText,
  toStructured,
  utf8,
  violations,
} from '../../src/adapter.ts';
import { decodeHeaderValue, printableAscii } from './header-value.ts';

export type Mode = 'binary' | 'structured' | 'batch';

export interface HttpMessage {
  /** Header names in lower case, as node:http gives them. */
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

export interface EncodedMessage {
  headers: Record<string, string>;
  body: Uint8Array;
}

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';

/** The limits decoding enforces (`[application.limits]`). */
export type DecodeLimits = Pick<Limits, 'maxBatchEvents' | 'maxJsonDepth'>;

/** Read a request as one event (binary, structured) or several (batch). */
export function decode(
  message: HttpMessage,
  limits: DecodeLimits = DEFAULT_LIMITS,
): { mode: Mode; events: CloudEvent[] } {
  const decoded = decodeEvents(message, limits);
  return { mode: decoded.mode, events: decoded.events.map((event) => withTraceHeaders(event, message)) };
}

function decodeEvents(message: HttpMessage, limits: DecodeLimits): { mode: Mode; events: CloudEvent[] } {
  const contentType = header(message, 'content-type');
  const media = mediaType(contentType);
  // 3.2.1 / 3.3.1: structured and batch mode are told by the media type.
  if (media === BATCH) return { mode: 'batch', events: decodeBatch(message.body, limits) };
  if (media === STRUCTURED) return { mode: 'structured', events: [valid(parseStructured(message.body, limits))] };
  if (media.startsWith('application/cloudevents')) {
    throw new InvalidEventError(`unsupported event format '${media}' (spindle reads ${STRUCTURED} and ${BATCH})`);
  }
  // 3.1: binary mode carries the attributes as ce- headers.
  if (header(message, 'ce-specversion') === undefined) {
    throw new InvalidEventError(
      'not a CloudEvent: expected ce-specversion and the other ce- headers (binary mode) ' +
        `or Content-Type ${STRUCTURED} (structured mode)`,
    );
  }
  return { mode: 'binary', events: [valid(decodeBinary(message, contentType))] };
}

/**
 * W3C Trace Context over HTTP: a request's `traceparent` (and `tracestate`) header is the
 * trace of an event that carries no `traceparent` extension of its own (distributed-tracing
 * extension): a Knative broker, or any instrumented HTTP client, continues its trace so.
 */
function withTraceHeaders(event: CloudEvent, message: HttpMessage): CloudEvent {
  const traceparent = header(message, TRACEPARENT);
  if (traceparent === undefined || event.extensions.traceparent !== undefined) return event;
  const tracestate = header(message, TRACESTATE);
  return { ...event, extensions: { ...event.extensions, traceparent, ...(tracestate ? { tracestate } : {}) } };
}

/** An event's trace context as W3C Trace Context headers too, for receivers that read those (Knative's). */
function traceHeaders(event: CloudEvent): Record<string, string> {
  const { traceparent, tracestate } = event.extensions;
  // A value no header may hold stays in the ce- header (percent-encoded) or the JSON only.
  if (traceparent === undefined || !headerSafe(traceparent)) return {};
  return {
    [TRACEPARENT]: traceparent,
    ...(tracestate !== undefined && headerSafe(tracestate) ? { [TRACESTATE]: tracestate } : {}),
  };
}

function decodeBinary(message: HttpMessage, contentType: string | undefined): CloudEvent {
  const attrs: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (!name.startsWith('ce-') || value === undefined) continue;
    // 3.1.3.1: "the header name ... prefixed with ce-"; names are case-insensitive.
    attrs[name.slice(3).toLowerCase()] = decodeHeaderValue(name, Array.isArray(value) ? value.join(',') : value);
  }
  // 3.1.1: "the datacontenttype attribute ... MUST be mapped to the HTTP Content-Type header".
  if (contentType !== undefined) {
    printableAscii('content-type', contentType, 'a media type (RFC 2045 5.1) is printable US-ASCII only');
    attrs.datacontenttype = contentType;
  }
  // 3.1.2: "the body ... is the event data", byte for byte; an empty body carries none.
  const data = message.body.length > 0 || contentType !== undefined ? message.body : undefined;
  return fromAttributes(attrs, data);
}

function decodeBatch(body: Uint8Array, limits: DecodeLimits): CloudEvent[] {
  const parsed = parseJson(body, 'batch', limits);
  if (!Array.isArray(parsed)) throw new InvalidEventError('a CloudEvents batch must be a JSON array of events');
  if (parsed.length > limits.maxBatchEvents) {
    throw new LimitExceededError(
      413,
      `the batch holds ${parsed.length} events, more than ${limits.maxBatchEvents} (${limitText(limits, 'maxBatchEvents')})`,
    );
  }
  return parsed.map((member, index) => {
    try {
      return valid(fromStructured(member));
    } catch (error) {
      throw new InvalidEventError(`batch event #${index}: ${(error as Error).message}`);
    }
  });
}

function parseStructured(body: Uint8Array, limits: DecodeLimits): CloudEvent {
  try {
    return fromStructured(parseJson(body, 'structured', limits));
  } catch (error) {
    if (error instanceof InvalidEventError) throw error;
    throw new InvalidEventError((error as Error).message);
  }
}

function parseJson(body: Uint8Array, mode: string, limits: DecodeLimits): unknown {
  const text = Buffer.from(body).toString('utf8');
  const depth = jsonDepthExceeding(text, limits.maxJsonDepth);
  if (depth !== undefined) {
    throw new LimitExceededError(
      400,
      `${mode} mode body nests JSON deeper than ${limits.maxJsonDepth} levels (${limitText(limits, 'maxJsonDepth')})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidEventError(`${mode} mode body is not valid JSON: ${(error as Error).message}`);
  }
}

function valid(event: CloudEvent): CloudEvent {
  const problems = violations(event);
  if (problems.length > 0) throw new InvalidEventError(problems.join('; '), event.id || undefined);
  return event;
}

/**
 * Binary mode (3.1): attributes as ce- headers, data as the body. An event binary mode
 * cannot carry goes in structured mode, which every receiver tells by its Content-Type:
 * one whose datacontenttype is an event format (a receiver would read the data as the
 * event, 3.2.1) or holds a character no header may (Content-Type is not percent-encoded,
 * and fetch or node:http would refuse it on every retry).
 */
export function encodeBinary(event: CloudEvent): EncodedMessage {
  if (!binaryCarries(event.datacontenttype)) return encodeStructured(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes(event))) {
    if (name === 'datacontenttype') headers['content-type'] = value;
    else headers[`ce-${name}`] = percentEncode(value);
  }
  return { headers: { ...headers, ...traceHeaders(event) }, body: event.data ?? new Uint8Array() };
}

function headerSafe(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}

function binaryCarries(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  return /^[\x20-\x7e\t]*$/.test(contentType) && !mediaType(contentType).startsWith('application/cloudevents');
}

/** Structured mode (3.2): the JSON event format as the body. */
export function encodeStructured(event: CloudEvent): EncodedMessage {
  const headers = { 'content-type': STRUCTURED, ...traceHeaders(event) };
  return { headers, body: utf8(JSON.stringify(toStructured(event))) };
}

/** Batched mode (3.3): a JSON array of events. */
export function encodeBatch(events: CloudEvent[]): EncodedMessage {
  return { headers: { 'content-type': BATCH }, body: utf8(JSON.stringify(events.map(toStructured))) };
}

export function encode(event: CloudEvent, mode: 'binary' | 'structured'): EncodedMessage {
  return mode === 'binary' ? encodeBinary(event) : encodeStructured(event);
}

// 3.1.3.2: "Space (U+0020), double-quote (U+0022), percent (U+0025) and any characters
// outside the printable ASCII range (U+0021-U+007E) MUST be percent-encoded."
function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out += byte <= 0x20 || byte >= 0x7f || byte === 0x22 || byte === 0x25 ? `%${hex(byte)}` : String.fromCharCode(byte);
  }
  return out;
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

function header(message: HttpMessage, name: string): string | undefined {
  const value = message.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function mediaType(contentType: string | undefined): string {
  return contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
}
