/**
 * End to end: vitest in a child process, configured with regions() as a user would (test/vitest/e2e/),
 * run on the `competent` instrument named only by REGIONS_CHECKPOINT. Checks that the plugin's setup
 * file registers the matchers, that `inject('regions')` and the fixtures carry the resolved options, and
 * that the measured numbers reach a reporter through task meta.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { RegionsRecord } from '../../src/findings/measure/result.js';
import { probeWebgpu, WEBGPU_REQUIRED } from '../helpers/webgpu.js';
import { competent } from './helpers/instruments.js';

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; assertionResults: { title: string; status: string; failureMessages: string[]; meta: { regions?: RegionsRecord[] } }[] }[];
}

test('a config with the plugin runs specs on the checkpoint REGIONS_CHECKPOINT names', async () => {
  const instrument = await competent();
  const out = mkdtempSync(join(tmpdir(), 'regions-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key]; // a fresh vitest, not a worker of this one
  Object.assign(env, {
    REGIONS_CHECKPOINT: instrument.checkpoint,
    E2E_TEXTS: instrument.texts,
    E2E_TRAIN_TEXTS: instrument.trainTexts,
    E2E_CACHE: join(out, 'cache'),
  });
  delete env.REGIONS_BACKEND;
  const run = spawnSync(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/vitest/e2e/vitest.config.ts', '--reporter=json', `--outputFile=${join(out, 'report.json')}`],
    { env, encoding: 'utf8', timeout: 180_000 },
  );
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as JsonReport;
  const tests = report.testResults.flatMap((f) => f.assertionResults).sort((a, b) => a.title.localeCompare(b.title));
  expect(tests.map((t) => [t.title, t.status, t.failureMessages.join('\n')])).toEqual([
    ['the setup file registered the matchers on vitest’s own expect', 'passed', ''],
    ['the subject fixture opens the checkpoint the environment names, with the provided options', 'passed', ''],
  ]);
  expect(run.status, run.stderr).toBe(0);
  const [setupTest, fixtureTest] = tests;
  expect(fixtureTest!.meta.regions).toMatchObject([{ matcher: 'toLoseCompetenceWhenZeroed', finding: 'coreRegion', holds: true, negated: false, passed: true }]);
  expect(setupTest!.meta.regions).toMatchObject([{ matcher: 'toLoseCompetenceWhenZeroed', holds: false, negated: true, passed: true }]);
}, 200_000);

test.skipIf(!(await probeWebgpu()).available && !WEBGPU_REQUIRED)(
  'on a GPU engine the spec files share one worker and one subject (ort-webgpu)',
  async () => {
    const instrument = await competent();
    const out = mkdtempSync(join(tmpdir(), 'regions-e2e-gpu-'));
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key];
    Object.assign(env, {
      REGIONS_BACKEND: 'ort-webgpu',
      E2E_CHECKPOINT: instrument.checkpoint,
      E2E_TEXTS: instrument.texts,
      E2E_TRAIN_TEXTS: instrument.trainTexts,
      E2E_CACHE: join(out, 'cache'),
      E2E_LOG: join(out, 'specs.log'),
    });
    const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/vitest/e2e-gpu/vitest.config.ts'], { env, encoding: 'utf8', timeout: 180_000 });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const lines = readFileSync(join(out, 'specs.log'), 'utf8').trim().split('\n').map((l) => l.split(' '));
    expect(lines).toHaveLength(2);
    // One process, one subject object, on the GPU engine.
    expect(new Set(lines.map(([pid, id, engine]) => `${pid} ${id} ${engine}`)).size, lines.join('\n')).toBe(1);
    expect(lines[0]![2]).toBe('ort-webgpu');
    expect(run.stderr).toContain('vitest-regions: ort-webgpu runs the model on the GPU: the specs run in one worker, sharing one model on the device');
  },
  200_000,
);
