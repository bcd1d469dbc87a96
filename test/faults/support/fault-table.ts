/**
 * The fault table of one test file (see ./fault-rows.ts for what is counted).
 */
import { appendFileSync } from 'node:fs';
import { afterAll, expect, inject } from 'vitest';
import { countRow, type FaultRow, formatTable, type Tally } from './fault-rows.ts';

/**
 * The table of one test file: `record` adds a row (and asserts nothing was lost), and the
 * file's rows are printed when it ends. Call where `afterAll` may be called.
 */
export function faultTable(title: string): { record(name: string, tally: Tally): FaultRow } {
  const rows: FaultRow[] = [];
  afterAll(() => {
    if (rows.length > 0) console.log(`\n${title}\n${formatTable(rows)}\n`);
  });
  return {
    record(name, tally) {
      const row = countRow(name, tally);
      rows.push(row);
      const shared = inject('spindleFaultRows');
      if (shared !== undefined) appendFileSync(shared, `${JSON.stringify(row)}\n`);
      expect(row.lost, `${name}: events lost\n${formatTable([row])}`).toBe(0);
      return row;
    },
  };
}
