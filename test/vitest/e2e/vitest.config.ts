/**
 * The vitest config of the end-to-end check (plugin-e2e.test.ts runs vitest with it in a child process):
 * the plugin as a user writes it, with a checkpoint path that does not exist — REGIONS_CHECKPOINT,
 * set by the caller, must win. E2E_* variables carry the instrument's text folders and a cache folder.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { regions } from '../../../src/vitest/plugin.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`test/vitest/e2e/vitest.config.ts: set ${name} (plugin-e2e.test.ts does)`);
  return value;
};

export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  plugins: [
    regions({
      checkpoint: 'fixtures/models/not-this-one',
      texts: env('E2E_TEXTS'),
      trainTexts: env('E2E_TRAIN_TEXTS'),
      languages: ['en', 'es', 'ru'],
      regionLanguages: ['en', 'es', 'ru'],
      backend: 'wasm',
      cacheDir: env('E2E_CACHE'),
      evalTokens: 512,
      importanceTokens: 2048,
      seqLen: 32,
      threads: 2,
      runs: 2,
    }),
  ],
  test: { include: ['test/vitest/e2e/*.e2e.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
