import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WIT_PATH, DEFAULT_WORLD } from '../../src/build/componentize.ts';
import { openHostRoot } from '../../src/build/shim-preopens.ts';

const GENERATED = fileURLToPath(new URL('../../wit/types/generated/', import.meta.url));

/**
 * The guest types under wit/types/generated are jco's `guest-types` of the event world:
 * this test regenerates them and fails when the committed copy is stale. After changing
 * wit/event.wit, run `npx vitest run test/unit/guest-types.test.ts -u` to write them.
 */
describe('guest types (spindle/guest)', () => {
  it('are what jco generates from wit/event.wit', async () => {
    await openHostRoot();
    const { types } = await import('@bytecodealliance/jco');
    const files = await types(DEFAULT_WIT_PATH, { guest: true, worldName: DEFAULT_WORLD });
    const names = Object.keys(files).sort();
    expect(names).toEqual([
      'interfaces/fermyon-spin-variables.d.ts',
      'interfaces/spindle-event-handler.d.ts',
      'interfaces/spindle-event-types.d.ts',
      'transformer.d.ts',
    ]);
    for (const name of names) {
      await expect(new TextDecoder().decode(files[name])).toMatchFileSnapshot(`${GENERATED}${name}`);
    }
  }, 60_000);
});
