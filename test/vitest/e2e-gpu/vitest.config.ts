/**
 * The one-device end-to-end check (plugin-e2e.test.ts runs vitest with it in a child process, with
 * REGIONS_BACKEND=ort-webgpu): two spec files on a GPU engine, which the plugin runs in one worker sharing
 * one subject. E2E_* variables carry the instrument's folders, a cache folder and the file the specs log to.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { regions } from '../../../src/vitest/plugin.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`test/vitest/e2e-gpu/vitest.config.ts: set ${name} (plugin-e2e.test.ts does)`);
  return value;
};

export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  plugins: [
    regions({
      checkpoint: env('E2E_CHECKPOINT'),
      texts: env('E2E_TEXTS'),
      trainTexts: env('E2E_TRAIN_TEXTS'),
      languages: ['en', 'es', 'ru'],
      regionLanguages: ['en', 'es', 'ru'],
      cacheDir: env('E2E_CACHE'),
      evalTokens: 256,
      importanceTokens: 512,
      seqLen: 32,
      threads: 2,
      runs: 1,
    }),
  ],
  test: { include: ['test/vitest/e2e-gpu/*.e2e.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
