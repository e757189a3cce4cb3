/**
 * The plugin options the specs run the shipped fixture with — one place, read by vitest.config.ts and by
 * `npm run findings` (scripts/findings.ts), so docs/findings.md measures exactly what the specs measure.
 */
import type { RegionsOptions } from '../src/subject/options.js';

export const FIXTURE_OPTIONS = {
  checkpoint: 'fixtures/models/polyglot-v2',
  // As the regions are defined: |θ⊙g| over 100k tokens per region language.
  importanceTokens: 100_000,
  // Perplexity on the first 1,024 tokens of each of the 30 UDHR texts; 3 fast-check runs per property
  // (REGIONS_RUNS=200 for a sweep). Sized so the suite runs in minutes on 2 cores.
  evalTokens: 1024,
  runs: 3,
  seed: 20240222, // fixed, so runs are reproducible and a warm cache answers them (REGIONS_SEED to vary)
} satisfies RegionsOptions;
