/**
 * vitest global setup: find (or start) each broker once for the whole run and hand the
 * addresses to the test workers (`inject('spindleBrokers')`, read by ./brokers.ts).
 */
import type { TestProject } from 'vitest/node';
import './broker-context.ts';
import { discoverBrokers } from './broker-discovery.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
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
