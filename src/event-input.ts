import { InvalidEventError } from './errors.ts';
import type { CloudEvent } from './event.ts';

/**
 * An event as a host program may hand one to spindle (`RunningApp.invoke`, a custom
 * trigger's `dispatch`): a CloudEvent whose `extensions` may be left out.
 */
export type EventInput = Omit<CloudEvent, 'extensions'> & { readonly extensions?: Readonly<Record<string, string>> };

const REQUIRED = ['id', 'source', 'type', 'specversion'] as const;
const OPTIONAL = ['datacontenttype', 'dataschema', 'subject', 'time'] as const;
const FIELDS = new Set<string>([...REQUIRED, ...OPTIONAL, 'extensions', 'data']);

/**
 * `input` as the CloudEvent the runtime lowers into the guest's record, or an
 * InvalidEventError naming the field and why. Checked on the host before lowering, so
 * that a record the host built wrong is never reported as the guest's trap. `extensions`
 * left out means none; an optional attribute or `data` set to `null` means absent. The
 * event itself is returned when it needs no change (the common case costs no copy).
 */
export function checkEventInput(input: unknown): CloudEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidEventError(
      `an event must be an object with id, source, type and specversion, got ${describe(input)}`,
    );
  }
  const event = input as Record<string, unknown>;
  const id = typeof event.id === 'string' ? event.id : undefined;
  const fail = (field: string, reason: string): never => {
    throw new InvalidEventError(`'${field}' ${reason}`, id);
  };
  for (const field of REQUIRED) {
    if (typeof event[field] !== 'string')
      fail(field, `is required and must be a string, got ${describe(event[field])}`);
  }
  let normal = true;
  for (const field of OPTIONAL) {
    const value = event[field];
    if (value === null) normal = false;
    else if (value !== undefined && typeof value !== 'string') {
      fail(field, `must be a string or absent, got ${describe(value)}`);
    }
  }
  const { extensions, data } = event;
  if (extensions === undefined) normal = false;
  else if (typeof extensions !== 'object' || extensions === null || Array.isArray(extensions)) {
    fail('extensions', `must be an object of name -> string value (or absent), got ${describe(extensions)}`);
  } else {
    for (const [name, value] of Object.entries(extensions)) {
      if (typeof value !== 'string') fail(`extensions.${name}`, `must be a string, got ${describe(value)}`);
    }
  }
  if (data === null) normal = false;
  else if (data !== undefined && !(data instanceof Uint8Array)) {
    fail('data', `must be a Uint8Array (bytes) or absent, got ${describe(data)}`);
  }
  for (const field of Object.keys(event)) {
    if (!FIELDS.has(field)) {
      fail(field, 'is not a field of an event (extension attributes go in `extensions`)');
    }
  }
  if (normal) return input as CloudEvent;
  const out: Record<string, unknown> = { extensions: {} };
  for (const [field, value] of Object.entries(event)) if (value !== undefined && value !== null) out[field] = value;
  return out as unknown as CloudEvent;
}

/** A value's kind for an error message: `a string`, `null`, `an array`, ... */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'a Uint8Array';
  const type = typeof value;
  return type === 'undefined' ? 'nothing' : type === 'object' ? 'an object' : `a ${type}`;
}
