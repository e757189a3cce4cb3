/**
 * The README's example of a spec for one's own checkpoint (examples/own-checkpoint/) is real: the README
 * quotes its files verbatim, and it runs — in a child vitest, as a user would run it, on a small trained
 * checkpoint laid out where the example's config expects it (a synthetic test instrument, see
 * test/vitest/helpers/instruments.ts). It imports the package by name, so it runs against the build (dist/).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { competent } from '../vitest/helpers/instruments.js';

const ROOT = join(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/own-checkpoint');
const FILES = ['vitest.config.ts', 'specs/core-region.spec.ts'];

test('the README quotes the example files verbatim', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const file of FILES) expect(readme, `README.md must quote ${file}`).toContain(readFileSync(join(EXAMPLE, file), 'utf8'));
});

test('the example passes on a small trained checkpoint', async () => {
  const instrument = await competent();
  rmSync(join(EXAMPLE, 'checkpoints'), { recursive: true, force: true });
  rmSync(join(EXAMPLE, 'data'), { recursive: true, force: true });
  cpSync(instrument.checkpoint, join(EXAMPLE, 'checkpoints/my-llama'), { recursive: true });
  for (const split of ['eval', 'train'] as const) {
    mkdirSync(join(EXAMPLE, 'data', split), { recursive: true });
    for (const lang of ['en', 'es', 'ru']) {
      cpSync(join(split === 'eval' ? instrument.texts : instrument.trainTexts, `${lang}.txt`), join(EXAMPLE, 'data', split, `${lang}.txt`));
    }
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key.startsWith('REGIONS_')) delete env[key];
  const out = join(EXAMPLE, 'reports');
  mkdirSync(out, { recursive: true });
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=json', `--outputFile=${join(out, 'report.json')}`], {
    cwd: EXAMPLE,
    env,
    encoding: 'utf8',
    timeout: 300_000,
  });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { numPassedTests: number; numFailedTests: number };
  expect([report.numPassedTests, report.numFailedTests]).toEqual([1, 0]);
}, 320_000);
