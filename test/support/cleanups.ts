import { afterEach } from 'vitest';

export type Cleanup = () => Promise<unknown>;

/**
 * Registers an `afterEach` (call it where `afterEach` may be called) that runs what the
 * test pushed, last first: processes stopped before the brokers they use are closed.
 */
export function cleanupAfterEach(): { push(cleanup: Cleanup): void } {
  const cleanups: Cleanup[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}
