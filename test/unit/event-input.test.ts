import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../src/errors.ts';
import { checkEventInput } from '../../src/event-input.ts';

const base = { id: 'e1', source: '/s', type: 't', specversion: '1.0' };

describe('checkEventInput: the host checks an event before lowering it into a guest record', () => {
  it('returns a complete event as it is, without a copy', () => {
    const event = { ...base, subject: 'x', extensions: { seq: '1' }, data: new Uint8Array([1, 2]) };
    expect(checkEventInput(event)).toBe(event);
  });

  it('takes extensions left out as none, and null options or data as absent', () => {
    expect(checkEventInput(base)).toEqual({ ...base, extensions: {} });
    expect(checkEventInput({ ...base, subject: null, data: null, extensions: { a: 'b' } })).toEqual({
      ...base,
      extensions: { a: 'b' },
    });
  });

  it('accepts a Buffer as data (it is a Uint8Array)', () => {
    const event = { ...base, extensions: {}, data: Buffer.from('hi') };
    expect(checkEventInput(event).data).toBe(event.data);
  });

  it.each([
    [
      'data as a string',
      { ...base, data: 'hello' },
      "event e1: 'data' must be a Uint8Array (bytes) or absent, got a string",
    ],
    [
      'a missing id',
      { source: '/s', type: 't', specversion: '1.0' },
      "'id' is required and must be a string, got nothing",
    ],
    ['a numeric source', { ...base, source: 7 }, "event e1: 'source' is required and must be a string, got a number"],
    [
      'an optional attribute not a string',
      { ...base, time: new Date(0) },
      "event e1: 'time' must be a string or absent, got an object",
    ],
    [
      'extensions as pairs',
      { ...base, extensions: [['a', 'b']] },
      "event e1: 'extensions' must be an object of name -> string value (or absent), got an array",
    ],
    [
      'an extension value not a string',
      { ...base, extensions: { seq: 1 } },
      "event e1: 'extensions.seq' must be a string, got a number",
    ],
    [
      'an extension at the top level',
      { ...base, traceparent: '00-x' },
      "event e1: 'traceparent' is not a field of an event (extension attributes go in `extensions`)",
    ],
    ['null', null, 'an event must be an object with id, source, type and specversion, got null'],
  ])('refuses %s, naming the field', (_, input, message) => {
    let error: unknown;
    try {
      checkEventInput(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toBe(message);
    expect((error as InvalidEventError).retriable).toBe(false);
  });
});
