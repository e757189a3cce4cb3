/**
 * The package a user installs: `npm pack` of this repository (its `files`: the build, the `regions` bin, the
 * built-in UDHR texts, README and licence), installed from the tarball into a fresh project with vitest,
 * with the README's example config and spec written verbatim (examples/own-checkpoint/, which the README
 * quotes: test/examples/own-checkpoint.test.ts checks that), run on a small trained checkpoint. It packs
 * the current build (dist/, made by `npm ci`'s prepare or `npm run build`): packing with its prepare script
 * would delete dist/ under the other test files.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { competent } from '../vitest/helpers/instruments.js';

const ROOT = join(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/own-checkpoint');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };

function run(cmd: string, args: string[], cwd: string, timeout = 240_000) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key.startsWith('REGIONS_') || key.startsWith('npm_')) delete env[key];
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout, out: `${r.stdout}\n${r.stderr}` };
}

const tmp = mkdtempSync(join(tmpdir(), 'regions-packed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let tarball: string | undefined;

/** `npm pack` of this repository, once for the file. */
function pack(): string {
  if (tarball !== undefined) return tarball;
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], ROOT);
  expect(packed.code, packed.out).toBe(0);
  tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'))!;
  return tarball;
}

/** A fresh project with vitest and the tarball installed, as the README says: .npmrc first (no CUDA download). */
function installedProject(name: string): string {
  const project = join(tmp, name);
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'my-checkpoint-tests', private: true, type: 'module', devDependencies: { vitest: pkg.devDependencies.vitest, 'vitest-regions': `file:../${pack()}` } }),
  );
  // As this repository's .npmrc: onnxruntime-node's install script would try to download the CUDA provider.
  writeFileSync(join(project, '.npmrc'), 'onnxruntime-node-install=skip\n');
  const install = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], project);
  expect(install.code, install.out).toBe(0);
  return project;
}

test('the packed package installs into a fresh project, and the README example passes there', async () => {
  {
    const tarball = pack();
    const size = statSync(join(tmp, tarball)).size;
    // What must be in it, and what must not: the build, the bin, the texts; no tests, scripts, corpora for training.
    const listing = run('tar', ['-tzf', join(tmp, tarball)], tmp).out.split('\n');
    for (const f of ['package/dist/index.js', 'package/dist/vitest/plugin.js', 'package/dist/cli/main.js', 'package/bin/regions.js', 'package/fixtures/corpora/eval/sw.txt', 'package/schema/thresholds.schema.json', 'package/specs/core-region.spec.ts', 'package/LICENSE', 'package/README.md']) {
      expect(listing, f).toContain(f);
    }
    expect(listing.filter((f) => /^package\/(src|test|scripts|bench)\/|^package\/fixtures\/(models|corpora\/train)\//.test(f))).toEqual([]);
    expect(listing.filter((f) => f.startsWith('package/fixtures/corpora/eval/')).length).toBe(30);
    expect(size).toBeLessThan(2_000_000);

    const project = installedProject('project');

    for (const file of ['vitest.config.ts', 'specs/core-region.spec.ts']) cpSync(join(EXAMPLE, file), join(project, file));
    // Overlapping measurements on the installed package (Promise.all and test.concurrent): each gives its own numbers.
    cpSync(join(import.meta.dirname, 'overlap.spec.ts'), join(project, 'specs/overlap.spec.ts'));
    const instrument = await competent();
    cpSync(instrument.checkpoint, join(project, 'checkpoints/my-llama'), { recursive: true });
    for (const split of ['eval', 'train'] as const) {
      mkdirSync(join(project, 'data', split), { recursive: true });
      for (const lang of ['en', 'es', 'ru']) {
        cpSync(join(split === 'eval' ? instrument.texts : instrument.trainTexts, `${lang}.txt`), join(project, 'data', split, `${lang}.txt`));
      }
    }
    const specs = run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=json', '--outputFile=report.json'], project);
    expect(specs.code, specs.out).toBe(0);
    // The build ships no source maps and references none (vite used to print "Failed to load source map" per file).
    expect(specs.out).not.toContain('Failed to load source map');
    const report = JSON.parse(readFileSync(join(project, 'report.json'), 'utf8')) as { numPassedTests: number; numFailedTests: number };
    expect([report.numPassedTests, report.numFailedTests]).toEqual([5, 0]);

    // The installed bin, on the built-in texts.
    const ppl = run(process.execPath, ['node_modules/vitest-regions/bin/regions.js', 'ppl', '--checkpoint', 'checkpoints/my-llama', '--texts', 'udhr', '--languages', 'en,sw', '--max-tokens', '32', '--seq-len', '32', '--json'], project);
    expect(ppl.code, ppl.out).toBe(0);
    expect(Object.keys((JSON.parse(ppl.stdout) as { languages: object }).languages)).toEqual(['en', 'sw']);

    // tfjs is an optional peer: not installed by default, and naming a tfjs backend says what to install.
    expect(existsSync(join(project, 'node_modules/@tensorflow/tfjs'))).toBe(false);
    const wasm = run(process.execPath, ['node_modules/vitest-regions/bin/regions.js', 'ppl', '--checkpoint', 'checkpoints/my-llama', '--texts', 'udhr', '--languages', 'en', '--max-tokens', '32', '--seq-len', '32', '--backend', 'wasm'], project);
    expect(wasm.code).not.toBe(0);
    expect(wasm.out).toContain('the tfjs engine is not installed (its packages are optional peers of vitest-regions): npm install @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0');
    console.log(`packed ${tarball}: ${(size / 1024).toFixed(0)} KiB, ${listing.filter((f) => f && !f.endsWith('/')).length} files`);
  }
}, 300_000);

test('regions init, then vitest run: a verdict on every finding and the report; regions thresholds --from fits the file, and the next run passes', async () => {
  const project = installedProject('init');
  // The shipped fixture, without its own thresholds file: a checkpoint init has never seen.
  cpSync(join(ROOT, 'fixtures/models/polyglot-v2'), join(project, 'checkpoints/polyglot'), { recursive: true });
  rmSync(join(project, 'checkpoints/polyglot/regions.thresholds.json'));
  const regionsBin = (...args: string[]) => run(process.execPath, ['node_modules/vitest-regions/bin/regions.js', ...args], project);
  const vitest = () => run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], project, 600_000);

  const init = regionsBin('init', '--checkpoint', 'checkpoints/polyglot');
  expect(init.code, init.out).toBe(0);
  const specs = readdirSync(join(project, 'specs')).sort();
  expect(specs).toEqual(readdirSync(join(ROOT, 'specs')).filter((f) => f.endsWith('.spec.ts')).sort());
  const thresholds = JSON.parse(readFileSync(join(project, 'regions.thresholds.json'), 'utf8')) as { $schema: string };
  expect(existsSync(join(project, thresholds.$schema))).toBe(true);
  expect(readFileSync(join(project, '.npmrc'), 'utf8')).toBe('onnxruntime-node-install=skip\n'); // not added twice
  expect(regionsBin('init', '--checkpoint', 'checkpoints/polyglot').out).toContain('exist in .: add --force to replace them');

  // The paper's defaults expect every finding to hold; on this fixture most do not: a verdict, not an error.
  let started = performance.now();
  const first = vitest();
  const cold = (performance.now() - started) / 1000;
  expect(first.code, first.out).toBe(1);
  const results = JSON.parse(readFileSync(join(project, 'reports/results.json'), 'utf8')) as { findings: { finding: string }[]; errors: unknown[]; run: { complete: boolean } };
  expect(existsSync(join(project, 'reports/index.html'))).toBe(true);
  expect(results.run.complete).toBe(true);
  expect(results.errors).toEqual([]);
  expect([...new Set(results.findings.map((f) => f.finding))].sort()).toEqual(
    ['coreRegion', 'dimensionSensitivity', 'frozenPretrain', 'languageNeurons', 'massiveActivation', 'monolingual', 'superWeight'],
  );

  const fit = regionsBin('thresholds', '--from', 'reports/results.json', '--force');
  expect(fit.code, fit.out).toBe(0);
  started = performance.now();
  const second = vitest();
  const warm = (performance.now() - started) / 1000;
  expect(second.code, second.out).toBe(0);
  expect(second.out).toMatch(/regions report: reports\/index\.html \(7 of 7 findings as expected/);
  console.log(`regions init: vitest run ${cold.toFixed(0)} s cold, ${warm.toFixed(0)} s after regions thresholds`);

  // The plugin inside a `projects` config (where vitest reads reporters from the root only) still writes the report.
  rmSync(join(project, 'reports'), { recursive: true, force: true });
  const config = readFileSync(join(project, 'vitest.config.ts'), 'utf8')
    .replace('plugins: [', "test: { projects: [{ extends: true, test: { name: 'specs', include: ['specs/core-region.spec.ts'] }, plugins: [")
    .replace(/\n {2}\],\n[^\n]*\n {2}test: \{[^\n]*\},\n/, '\n  ] }] },\n');
  writeFileSync(join(project, 'vitest.projects.config.ts'), config);
  const projects = run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.projects.config.ts'], project, 600_000);
  expect(projects.code, `${projects.out}\n${config}`).toBe(0);
  expect(existsSync(join(project, 'reports/results.json')), config).toBe(true);
}, 900_000);
