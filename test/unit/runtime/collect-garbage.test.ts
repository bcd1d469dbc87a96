import { setImmediate as nextTurn } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { collectGarbage } from '../../../src/runtime/collect-garbage.ts';

it('collects what nothing references any more', async () => {
  let garbage: object | undefined = { bytes: new Uint8Array(1 << 20) };
  const ref = new WeakRef(garbage);
  garbage = undefined;
  await nextTurn(); // a WeakRef's target lives at least until the job that made it ends
  collectGarbage();
  expect(ref.deref()).toBeUndefined();
});

it('leaves no gc global behind, in this context or in a new one', async () => {
  collectGarbage();
  collectGarbage();
  expect('gc' in globalThis).toBe(false);
  const { runInNewContext } = await import('node:vm');
  expect(runInNewContext('typeof gc')).toBe('undefined');
});
