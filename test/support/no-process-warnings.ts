/**
 * Node's process warnings (TimeoutNegativeWarning, DeprecationWarning,
 * ExperimentalWarning, MaxListenersExceededWarning, ...) in what a spindle command
 * printed: Node's own `(node:PID) XWarning: ...` line on stderr, or the warn record
 * `spindle up` logs for one (its `err` names the warning). None comes from what a user
 * does, so a run must print none, on every Node version the project supports.
 */
import { expect } from 'vitest';

const PROCESS_WARNING = /\(node:\d+\)|\b\w+Warning\b/;

export function expectNoProcessWarnings(output: string): void {
  const warning = output.split('\n').find((line) => PROCESS_WARNING.test(line));
  expect(warning, `Node ${process.version} printed a warning`).toBeUndefined();
}
