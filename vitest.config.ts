import { defineConfig } from 'vitest/config';
import { RegionsReporter } from './src/report/reporter.js';
import { regions } from './src/vitest/plugin.js';

export default defineConfig({
  test: {
    // Model work is slow on a 2-core CPU: generous per-test limits, one file per core.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    maxWorkers: 2,
    benchmark: { include: ['bench/**/*.bench.ts'] },
    // reports/results.json and reports/index.html after a run of the specs (not of the unit tests, whose
    // matcher tests make region assertions on synthetic instruments).
    reporters: ['default', new RegionsReporter({ outputDir: 'reports', projects: ['specs'] })],
    projects: [
      // The library's unit tests: no plugin (registering the matchers loads tfjs in every file).
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'] } },
      // The paper's findings as specs, on the shipped fixture model (REGIONS_CHECKPOINT=DIR to switch).
      {
        extends: true,
        plugins: [
          regions({
            checkpoint: 'fixtures/models/polyglot-mini',
            // As docs/findings.md measures the regions: |θ⊙g| over 100k tokens per region language.
            importanceTokens: 100_000,
            // Perplexity on the first 1,024 tokens of each of the 30 UDHR texts; 3 fast-check runs per
            // property (REGIONS_RUNS=200 for a sweep). Sized so the suite runs in minutes on 2 cores.
            evalTokens: 1024,
            runs: 3,
            seed: 20240222, // fixed, so runs are reproducible and a warm cache answers them (REGIONS_SEED to vary)
          }),
        ],
        test: { name: 'specs', include: ['specs/**/*.spec.ts'] },
      },
    ],
  },
});
