// Vitest configuration: tests live in test/**, run in forked processes (they start worker
// threads of their own), never in parallel beyond the machine's two cores.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // On CI, also a JSON report, from which .ci/run prints the plain "N passed, N failed" line.
    reporters: process.env['CI'] ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
  },
});
