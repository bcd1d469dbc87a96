/**
 * spindle's CloudEvent: the WIT `spindle:event/types.event` record as a plain value.
 * Data stays bytes end to end so that every byte a producer sent reaches the sink; the
 * structured JSON format (CloudEvents JSON Event Format, v1.0.2) lives here because every
 * binding without native attributes (HTTP structured, Kafka structured, Redis, AMQP
 * bodies) shares it.
 */
export interface CloudEvent {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly specversion: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  readonly subject?: string;
  readonly time?: string;
  /** Extension attributes in their canonical string form. */
  readonly extensions: Readonly<Record<string, string>>;
  readonly data?: Uint8Array;
}

/** The context attributes the spec defines (everything else is an extension). */
export const CONTEXT_ATTRIBUTES = [
  'id',
  'source',
  'type',
  'specversion',
  'datacontenttype',
  'dataschema',
  'subject',
  'time',
] as const;

const OPTIONAL_ATTRIBUTES = ['datacontenttype', 'dataschema', 'subject', 'time'] as const;
const RESERVED = new Set<string>([...CONTEXT_ATTRIBUTES, 'data', 'data_base64']);

// "CloudEvents attribute names MUST consist of lower-case letters ('a' to 'z') or digits
// ('0' to '9') from the ASCII character set." (spec 1.0.2, Attribute Naming Convention)
const ATTRIBUTE_NAME = /^[a-z0-9]+$/;
// RFC 3339 date-time, as required of `time`.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Why `event` breaks the spec, or an empty list. */
export function violations(event: CloudEvent): string[] {
  const out: string[] = [];
  for (const name of ['id', 'source', 'type', 'specversion'] as const) {
    if (typeof event[name] !== 'string' || event[name] === '')
      out.push(`'${name}' is required and must be a non-empty string`);
  }
  if (event.specversion && event.specversion !== '1.0') {
    out.push(`'specversion' must be "1.0", got ${JSON.stringify(event.specversion)}`);
  }
  if (event.time !== undefined && !RFC3339.test(event.time)) {
    out.push(`'time' must be an RFC 3339 timestamp, got ${JSON.stringify(event.time)}`);
  }
  for (const name of Object.keys(event.extensions)) {
    if (!ATTRIBUTE_NAME.test(name)) out.push(`extension '${name}' must be lower-case letters and digits only`);
    else if (RESERVED.has(name)) out.push(`extension '${name}' shadows a context attribute`);
  }
  for (const [name, value] of Object.entries(attributes(event))) {
    if (typeof value !== 'string') continue;
    const forbidden = forbiddenCharacter(value);
    // The value itself is not quoted: it may carry CR/LF that must never reach a reply.
    if (forbidden !== undefined) out.push(`attribute '${name}' contains ${forbidden}, which no CloudEvents string may`);
  }
  return out;
}

/**
 * The first character the CloudEvents type system forbids in a String (spec 1.0.2, Type
 * System): "control characters in the ranges U+0000-U+001F and U+007F-U+009F", lone
 * surrogates, and the noncharacters U+FDD0-U+FDEF and U+xFFFE/U+xFFFF. Such a value can
 * never become valid, so it is refused at once, never retried.
 */
export function forbiddenCharacter(value: string): string | undefined {
  const found = firstForbidden(value);
  if (found === undefined) return undefined;
  const what =
    found.kind === 'control'
      ? 'the control character'
      : found.kind === 'surrogate'
        ? 'a lone surrogate'
        : 'the noncharacter';
  return `${what} ${codePoint(found.code)} at offset ${found.at}`;
}

/** `value` with every character forbidden in a CloudEvents String written as `\u{XXXX}`. */
export function escapeForbidden(value: string): string {
  if (firstForbidden(value) === undefined) return value;
  let out = '';
  for (const char of value)
    out +=
      firstForbidden(char) === undefined ? char : `\\u{${(char.codePointAt(0) as number).toString(16).toUpperCase()}}`;
  return out;
}

function codePoint(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function firstForbidden(
  value: string,
): { code: number; at: number; kind: 'control' | 'surrogate' | 'noncharacter' } | undefined {
  for (let i = 0; i < value.length; i++) {
    const at = i;
    const code = value.codePointAt(i) as number;
    if (code > 0xffff) i++; // a surrogate pair, read as one code point
    const isControl = code <= 0x1f || (code >= 0x7f && code <= 0x9f);
    const isLoneSurrogate = code >= 0xd800 && code <= 0xdfff;
    const isNonCharacter = (code >= 0xfdd0 && code <= 0xfdef) || (code & 0xfffe) === 0xfffe;
    if (isControl || isLoneSurrogate || isNonCharacter) {
      return { code, at, kind: isControl ? 'control' : isLoneSurrogate ? 'surrogate' : 'noncharacter' };
    }
  }
  return undefined;
}

export function isAttributeName(name: string): boolean {
  return ATTRIBUTE_NAME.test(name);
}

/**
 * One attribute's value (a context attribute or an extension), or undefined if the event
 * has none. Own extensions only: a name such as `constructor` is not Object's.
 */
export function attribute(event: CloudEvent, name: string): string | undefined {
  switch (name) {
    case 'id':
    case 'source':
    case 'type':
    case 'specversion':
    case 'datacontenttype':
    case 'dataschema':
    case 'subject':
    case 'time':
      return event[name];
    default:
      return Object.hasOwn(event.extensions, name) ? event.extensions[name] : undefined;
  }
}

/** Every attribute, the context ones and the extensions, as name -> string. */
export function attributes(event: CloudEvent): Record<string, string> {
  const out: Record<string, string> = {
    id: event.id,
    source: event.source,
    type: event.type,
    specversion: event.specversion,
  };
  for (const name of OPTIONAL_ATTRIBUTES) {
    const value = event[name];
    if (value !== undefined) out[name] = value;
  }
  return Object.assign(out, event.extensions);
}

/**
 * Build an event from attribute name -> value (as read from headers), splitting the
 * context attributes from the extensions. Missing required attributes are left empty
 * for `violations` to report.
 */
export function fromAttributes(attrs: Record<string, string>, data?: Uint8Array): CloudEvent {
  const extensions: Record<string, string> = {};
  for (const [name, value] of Object.entries(attrs)) {
    if (!(CONTEXT_ATTRIBUTES as readonly string[]).includes(name)) extensions[name] = value;
  }
  return clean({
    id: attrs.id ?? '',
    source: attrs.source ?? '',
    type: attrs.type ?? '',
    specversion: attrs.specversion ?? '',
    datacontenttype: attrs.datacontenttype,
    dataschema: attrs.dataschema,
    subject: attrs.subject,
    time: attrs.time,
    extensions,
    data,
  });
}

/** Drop undefined optional fields so that events compare and print cleanly. */
function clean(event: CloudEvent): CloudEvent {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) if (v !== undefined) out[k] = v;
  return out as unknown as CloudEvent;
}

/** A copy of `event` with `changes` applied (extensions merged). */
export function withChanges(
  event: CloudEvent,
  changes: Partial<Omit<CloudEvent, 'extensions'>> & { extensions?: Record<string, string> },
): CloudEvent {
  return clean({ ...event, ...changes, extensions: { ...event.extensions, ...changes.extensions } });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Is this media type JSON (`application/json`, `text/json`, `*+json`)? */
export function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const media = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return media === 'application/json' || media === 'text/json' || media.endsWith('+json');
}

function isTextType(contentType: string | undefined): boolean {
  const media = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return media.startsWith('text/') || media === 'application/xml' || media.endsWith('+xml');
}

/**
 * The JSON Event Format (spec 1.0.2 json-format.md, section 3): attributes as members,
 * data as JSON when the content type is JSON and the bytes parse, as a string for text,
 * else as `data_base64`. Data bytes stay exact: data that would not read back byte for
 * byte from a `data` member (JSON with spaces, `\u` escapes or `null`, empty "JSON") is
 * written as `data_base64`, which json-format.md 3.1 allows for any data.
 */
export function toStructured(event: CloudEvent): Record<string, unknown> {
  const out: Record<string, unknown> = attributes(event);
  if (event.data === undefined) return out;
  const member = dataMember(event.data, event.datacontenttype);
  if (member !== undefined) out.data = member;
  else out.data_base64 = Buffer.from(event.data).toString('base64');
  return out;
}

/** The `data` member that reads back as exactly `data`, or undefined when none does. */
function dataMember(data: Uint8Array, contentType: string | undefined): unknown {
  const text = decodeUtf8(data);
  if (text === undefined) return undefined;
  let member: unknown;
  if (contentType === undefined || isJsonType(contentType)) {
    const parsed = parseJson(text);
    if (parsed.ok) member = parsed.value;
  }
  if (member === undefined && isTextType(contentType)) member = text;
  // A null member reads as no data at all.
  if (member === undefined || member === null) return undefined;
  return Buffer.from(dataFromMember(member, contentType)).equals(Buffer.from(data)) ? member : undefined;
}

/** The data bytes a `data` member stands for: a string is the data itself unless the content type says JSON. */
function dataFromMember(member: unknown, contentType: string | undefined): Uint8Array {
  return typeof member === 'string' && !isJsonType(contentType) && contentType !== undefined
    ? utf8(member)
    : utf8(JSON.stringify(member));
}

/**
 * Read the JSON Event Format. Throws an Error with the reason when `value` is not an
 * event object; the result may still have `violations`.
 */
export function fromStructured(value: unknown): CloudEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('a structured CloudEvent must be a JSON object');
  }
  const members = value as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  for (const [name, member] of Object.entries(members)) {
    if (name === 'data' || name === 'data_base64' || member === null) continue;
    if (typeof member === 'string') attrs[name] = member;
    else if (typeof member === 'number' || typeof member === 'boolean') attrs[name] = String(member);
    else throw new Error(`attribute '${name}' must be a string, number or boolean`);
  }
  let data: Uint8Array | undefined;
  if (members.data_base64 !== undefined && members.data_base64 !== null) {
    if (typeof members.data_base64 !== 'string') throw new Error("'data_base64' must be a string");
    if (members.data !== undefined) throw new Error("'data' and 'data_base64' must not both be present");
    data = new Uint8Array(Buffer.from(members.data_base64, 'base64'));
  } else if (members.data !== undefined && members.data !== null) {
    data = dataFromMember(members.data, attrs.datacontenttype);
  }
  // "If the datacontenttype is unspecified, processing SHOULD proceed as if it were
  // application/json" (json-format.md 3.1): keep that explicit for JSON data.
  if (attrs.datacontenttype === undefined && members.data !== undefined && members.data !== null) {
    attrs.datacontenttype = 'application/json';
  }
  return fromAttributes(attrs, data);
}

/** The latest instant a JavaScript Date (and so a `time` spindle writes) can hold: +275760-09-13. */
export const MAX_TIME_MS = 8.64e15;

/**
 * A broker timestamp (ms since the epoch) as a `time` attribute: `none` for a negative or
 * missing one (Kafka's -1), `out-of-range` where no RFC 3339 time can say it, so that the
 * codec refuses the message with a reason naming the field instead of throwing
 * "Invalid time value" on every redelivery.
 */
export function timeFromMillis(millis: number): { time: string } | 'none' | 'out-of-range' {
  if (Number.isNaN(millis) || millis < 0) return 'none';
  if (millis > MAX_TIME_MS) return 'out-of-range';
  return { time: new Date(millis).toISOString() };
}

export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
