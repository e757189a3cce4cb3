import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRegionsOptions, type RegionsOptions, type ResolvedRegionsOptions } from '../../../src/subject/options.js';
import type { Instrument } from './instruments.js';

/**
 * Plugin options for an instrument, as the plugin would resolve them: ONNX Runtime's CPU engine (what users run;
 * one thread, so numbers do not depend on the core count), a fresh cache folder (so a
 * test never passes on a stale cache), few tokens, importance in the test's own thread, windows of 32
 * tokens — a matcher call takes well under a second. Measured languages: those it was trained on
 * (a language it never saw has ppl in the 10⁵s, which any change moves at random).
 */
export function instrumentOptions(instrument: Instrument, extra: Partial<RegionsOptions> = {}): ResolvedRegionsOptions {
  return resolveRegionsOptions(
    {
      checkpoint: instrument.checkpoint,
      texts: instrument.texts,
      trainTexts: instrument.trainTexts,
      regionLanguages: instrument.trained.length > 0 ? instrument.trained : instrument.languages,
      languages: instrument.trained.length > 0 ? instrument.trained : instrument.languages,
      backend: 'ort-cpu',
      threads: 1,
      cacheDir: mkdtempSync(join(tmpdir(), 'regions-cache-')),
      evalTokens: 512,
      importanceTokens: 2048,
      seqLen: 32,
      runs: 3,
      ...extra,
    },
    { env: {} },
  );
}
