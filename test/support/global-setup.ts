/**
 * vitest global setup: build dist/, find (or start) each broker once for the whole run and hand the
 * addresses to the test workers (`inject('spindleBrokers')`, read by ./brokers.ts).
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
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
  return teardown;
}

function ciFails(): string {
  return process.env.CI === 'true' ? 'FAIL (CI=true)' : 'be skipped';
}
