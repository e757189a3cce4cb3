import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { RegionsReporter } from './src/report/reporter.js';
import { FIXTURE_OPTIONS } from './specs/options.js';
import { regions, RegionsSequencer } from './src/vitest/plugin.js';

export default defineConfig({
  // The specs import the package by name, as a user's copy of them does (`regions init` ships them); here the
  // name resolves to the sources.
  resolve: { alias: [{ find: /^vitest-regions\/vitest$/, replacement: fileURLToPath(new URL('./src/vitest/index.ts', import.meta.url)) }] },
  test: {
    // Model work is slow on a 2-core CPU: generous per-test limits, one file per core.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    maxWorkers: 2,
    // Longest spec files first, by vitest's last durations or, on a cold run, the cold time each spec's budget declares.
    sequence: { sequencer: RegionsSequencer },
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
          // The shipped fixture and how the specs measure it (specs/options.ts, shared with `npm run findings`).
          // The report is the root config's (above), which keeps the unit tests out of it.
          regions({ ...FIXTURE_OPTIONS, report: false }),
        ],
        test: { name: 'specs', include: ['specs/**/*.spec.ts'] },
      },
    ],
  },
});
