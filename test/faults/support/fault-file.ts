/**
 * What every fault test file starts with: its table, cleanups after each case, and the
 * behaviours guest (test/fixtures/components/behaviours.js) built once.
 */
import { beforeAll } from 'vitest';
import { cleanupAfterEach } from '../../support/cleanups.ts';
import { buildFixture } from '../../support/fixtures.ts';
import { faultTable } from './fault-table.ts';

export function faultFile(title: string) {
  const table = faultTable(title);
  const cleanups = cleanupAfterEach();
  let wasm = '';
  beforeAll(async () => {
    wasm = await buildFixture('behaviours');
  }, 180_000);
  return { table, cleanups, behaviours: () => wasm };
}
