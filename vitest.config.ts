import { defineConfig } from 'vitest/config';

// Unit tests in test/unit (pure, fast), integration tests in test/integration (real
// brokers, found or started once by the global setup), end-to-end tests in test/e2e (the
// CLI as a user runs it), fault cases in test/faults (counts of what every fault delivered,
// dead-lettered, kept or lost).
export default defineConfig({
  test: {
    include: ['test/{unit,integration,e2e,faults}/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Integration and e2e tests wait on real brokers and child processes.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
