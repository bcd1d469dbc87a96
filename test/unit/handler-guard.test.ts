/**
 * The handler guard is plain JavaScript: here it runs on Node in front of a stand-in
 * guest module, for every case at once (test/e2e/guest-contract.test.ts runs it inside a
 * built component).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { handlerGuardSource } from '../../src/build/handler-guard.ts';

type Handle = (event: unknown) => unknown;

/** The guard in front of a guest whose `handler.handle` runs `globalThis.guestHandle`. */
async function guard(guest = 'export const handler = { handle: (event) => globalThis.guestHandle(event) };') {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-guard-'));
  writeFileSync(join(dir, 'guest.js'), guest);
  writeFileSync(join(dir, 'guard.js'), handlerGuardSource('./guest.js', 'shout.ts', 'guard.js'));
  return (await import(pathToFileURL(join(dir, 'guard.js')).href)) as { handler: { handle: Handle } };
}

const event = { id: 'e1', source: '/s', type: 't', specversion: '1.0', extensions: [] };

/** What the guard makes of the guest's `handle` doing `behaviour`: `{ ok }` or `{ thrown }`. */
function outcome(handle: Handle, behaviour: Handle): { ok: unknown } | { thrown: unknown } {
  (globalThis as { guestHandle?: Handle }).guestHandle = behaviour;
  try {
    return { ok: handle(event) };
  } catch (thrown) {
    return { thrown };
  }
}

describe('the handler guard', () => {
  let handle: Handle;
  beforeAll(async () => {
    ({ handle } = (await guard()).handler);
  });

  it('passes a fitting result through as it is, and null options as absent', () => {
    const fits = [{ ...event, subject: 's', extensions: [['a', 'b']], data: new Uint8Array([1]) }];
    expect(outcome(handle, () => fits)).toEqual({ ok: fits });
    expect((outcome(handle, () => fits) as { ok: unknown }).ok).toBe(fits);
    const withNulls = [fits[0], { ...event, subject: null, data: null }];
    expect(outcome(handle, () => withNulls)).toEqual({ ok: [fits[0], event] });
  });

  it.each<[string, unknown, string]>([
    [
      'data as a string',
      [{ ...event, data: 'x' }],
      `event #1 (id "e1"): 'data' must be a Uint8Array (bytes) or absent, got a string (encode text with new TextEncoder().encode(text))`,
    ],
    [
      'data as an ArrayBuffer',
      [{ ...event, data: new ArrayBuffer(1) }],
      `event #1 (id "e1"): 'data' must be a Uint8Array (bytes) or absent, got an object`,
    ],
    ['a null event', [event, null], 'event #2 must be an event record, got null'],
    ['a missing id', [{ ...event, id: undefined }], "event #1: 'id' is required and must be a string, got nothing"],
    [
      'a number type',
      [{ ...event, type: 7 }],
      `event #1 (id "e1"): 'type' is required and must be a string, got a number`,
    ],
    [
      'a misspelt field',
      [{ ...event, datacontentype: 'text/plain' }],
      `event #1 (id "e1"): 'datacontentype' is not a field of the event record`,
    ],
    [
      'extensions missing',
      [{ ...event, extensions: undefined }],
      `event #1 (id "e1"): 'extensions' is required and must be a list of [name, value] pairs of strings ([] for none), got nothing`,
    ],
    [
      'extensions as an object',
      [{ ...event, extensions: { a: 'b' } }],
      `event #1 (id "e1"): 'extensions' is required and must be a list of [name, value] pairs of strings ([] for none), got an object`,
    ],
    [
      'a pair of three',
      [{ ...event, extensions: [['a', 'b', 'c']] }],
      `event #1 (id "e1"): 'extensions[0]' must be a [name, value] pair of strings, got [string, string, string]`,
    ],
    [
      'a number value',
      [
        {
          ...event,
          extensions: [
            ['a', 'b'],
            ['n', 1],
          ],
        },
      ],
      `event #1 (id "e1"): 'extensions[1]' must be a [name, value] pair of strings, got [string, number]`,
    ],
    [
      'one event, not a list',
      event,
      'handle must return a list of events ([] for none, [event] for one), got an object',
    ],
    ['nothing', undefined, 'handle must return a list of events ([] for none, [event] for one), got nothing'],
    [
      'a Promise',
      Promise.resolve([]),
      'handle must return a list of events ([] for none, [event] for one), got a Promise',
    ],
  ])('%s: an invalid error naming it', (_, returned, reason) => {
    const result = outcome(handle, () => returned) as { thrown: { tag: string; val: string } };
    expect(result.thrown.tag).toBe('invalid');
    expect(result.thrown.val).toContain(`the result of handle does not fit the event record: ${reason}`);
  });

  it('passes the error variants through, a non-string reason made text', () => {
    expect(
      outcome(handle, () => {
        throw { tag: 'invalid', val: 'bad' };
      }),
    ).toEqual({ thrown: { tag: 'invalid', val: 'bad' } });
    expect(
      outcome(handle, () => {
        throw { tag: 'retry', val: 'later' };
      }),
    ).toEqual({ thrown: { tag: 'retry', val: 'later' } });
    expect(
      outcome(handle, () => {
        throw { tag: 'retry', val: { n: 1 } };
      }),
    ).toEqual({ thrown: { tag: 'retry', val: '{"n":1}' } });
    expect(
      outcome(handle, () => {
        throw { payload: { tag: 'invalid', val: 'wrapped' } };
      }),
    ).toEqual({ thrown: { tag: 'invalid', val: 'wrapped' } });
  });

  it('makes a thrown Error a retry with its name and message, its stack one stderr line', () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(
        outcome(handle, () => {
          throw new TypeError('x is not a function');
        }),
      ).toEqual({
        thrown: { tag: 'retry', val: 'handle threw TypeError: x is not a function' },
      });
      expect(stderr).toHaveBeenCalledTimes(1);
      const line = String(stderr.mock.calls[0]?.[0]);
      expect(line).toMatch(/^shout\.ts: handle threw TypeError: x is not a function at /);
      expect(line).not.toContain('\n');
      expect(line).not.toContain('guard.js');
    } finally {
      stderr.mockRestore();
    }
  });

  it('makes any other thrown value a retry saying what it was', () => {
    expect(
      outcome(handle, () => {
        throw 'oops';
      }),
    ).toEqual({ thrown: { tag: 'retry', val: 'handle threw "oops"' } });
    expect(
      outcome(handle, () => {
        throw { payload: { tag: 'undefined', val: 'no variable named "x"' } };
      }),
    ).toEqual({
      thrown: { tag: 'retry', val: 'handle threw {"tag":"undefined","val":"no variable named \\"x\\""}' },
    });
  });

  it("names an import's error by its payload also when the bindings wrap it in an Error (QuickJS)", () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const wrapped = Object.assign(new Error('[object Object] (see error.payload)'), {
        payload: { tag: 'undefined', val: 'no variable named "x"' },
      });
      expect(
        outcome(handle, () => {
          throw wrapped;
        }),
      ).toEqual({
        thrown: { tag: 'retry', val: 'handle threw {"tag":"undefined","val":"no variable named \\"x\\""}' },
      });
    } finally {
      stderr.mockRestore();
    }
  });

  it('refuses, at load, a guest that exports no handler', async () => {
    await expect(guard('export const handle = (e) => [e];')).rejects.toThrow(
      'shout.ts must export `handler` with a `handle(event)` method, e.g. export const handler = { handle(event) { return [event]; } }; found handler: nothing',
    );
  });
});
