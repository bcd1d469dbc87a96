/**
 * vitest global setup: build dist/, find (or start) each broker once for the whole run and hand the
 * addresses to the test workers (`inject('spindleBrokers')`, read by ./brokers.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type FaultRow, formatTable } from '../faults/support/fault-rows.ts';
import './broker-context.ts';
import { discoverBrokers } from './broker-discovery.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The CLI tests run bin/spindle.js, which runs dist/: build it from the sources under test.
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  const { context, teardown } = await discoverBrokers();
  for (const [kind, found] of Object.entries(context)) {
    if (found.ok) console.info(`[spindle tests] ${kind}: ${found.via}`);
    else console.warn(`[spindle tests] ${kind}: UNAVAILABLE, its tests will ${ciFails()}: ${found.reason}`);
  }
  project.provide('spindleBrokers', context);
  const faultDir = mkdtempSync(join(tmpdir(), 'spindle-fault-rows-'));
  const faultRows = join(faultDir, 'rows.jsonl');
  project.provide('spindleFaultRows', faultRows);
  return async () => {
    printFaultTable(faultRows);
    rmSync(faultDir, { recursive: true, force: true });
    await teardown();
  };
}

/** The fault suite's whole table (test/faults), once every file has added its rows. */
function printFaultTable(file: string): void {
  if (!existsSync(file)) return;
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as FaultRow);
  console.log(`\n[spindle tests] fault suite, ${rows.length} cases:\n${formatTable(rows)}\n`);
}

function ciFails(): string {
  return process.env.CI === 'true' ? 'FAIL (CI=true)' : 'be skipped';
}
