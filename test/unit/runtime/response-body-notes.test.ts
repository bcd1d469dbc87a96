import { describe, expect, it } from 'vitest';
import {
  type BodyFailure,
  type ShimIncomingResponse,
  watchResponseBody,
} from '../../../src/runtime/response-body-notes.ts';

/** A response whose body yields `chunks`, then throws `end` (the shim's stream error). */
function response(chunks: Uint8Array[], end: unknown): ShimIncomingResponse {
  const read = () => {
    const chunk = chunks.shift();
    if (chunk === undefined) throw end;
    return chunk;
  };
  return { consume: () => ({ stream: () => ({ read, blockingRead: read }) }) };
}

function readAll(watched: ShimIncomingResponse, method: 'read' | 'blockingRead'): unknown {
  const stream = watched.consume().stream();
  for (;;) {
    try {
      stream[method](1024n);
    } catch (error) {
      return error;
    }
  }
}

const failed = { tag: 'last-operation-failed', val: {} };

describe('watchResponseBody', () => {
  it('notes a body that failed after the timeout as timed out, with the bytes received, and rethrows', () => {
    const notes: BodyFailure[] = [];
    const watched = response([new Uint8Array(30), new Uint8Array(0)], failed);
    watchResponseBody(watched, 0, (failure) => notes.push(failure));
    expect(readAll(watched, 'read')).toBe(failed);
    expect(notes).toEqual([{ received: 30, timedOut: true }]);
  });

  it('notes a body that failed before the timeout as a lost connection', () => {
    const notes: BodyFailure[] = [];
    const watched = response([new Uint8Array(8), new Uint8Array(2)], failed);
    watchResponseBody(watched, 60_000, (failure) => notes.push(failure));
    expect(readAll(watched, 'blockingRead')).toBe(failed);
    expect(notes).toEqual([{ received: 10, timedOut: false }]);
  });

  it('notes nothing at the normal end of a body', () => {
    const notes: BodyFailure[] = [];
    const closed = { tag: 'closed' };
    const watched = response([new Uint8Array(4)], closed);
    watchResponseBody(watched, 0, (failure) => notes.push(failure));
    expect(readAll(watched, 'read')).toBe(closed);
    expect(notes).toEqual([]);
  });
});
