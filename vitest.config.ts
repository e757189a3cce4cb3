import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Model work is slow on a 2-core CPU: generous per-test limits, one file per core.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    maxWorkers: 2,
    include: ['test/**/*.test.ts', 'specs/**/*.spec.ts'],
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
});
