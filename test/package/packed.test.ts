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
import { expect, test } from 'vitest';
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

test('the packed package installs into a fresh project, and the README example passes there', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'regions-packed-'));
  try {
    const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], ROOT);
    expect(packed.code, packed.out).toBe(0);
    const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'))!;
    const size = statSync(join(tmp, tarball)).size;
    // What must be in it, and what must not: the build, the bin, the texts; no tests, scripts, corpora for training.
    const listing = run('tar', ['-tzf', join(tmp, tarball)], tmp).out.split('\n');
    for (const f of ['package/dist/index.js', 'package/dist/vitest/plugin.js', 'package/dist/cli/main.js', 'package/bin/regions.js', 'package/fixtures/corpora/eval/sw.txt', 'package/LICENSE', 'package/README.md']) {
      expect(listing, f).toContain(f);
    }
    expect(listing.filter((f) => /^package\/(src|test|scripts|bench)\/|^package\/fixtures\/(models|corpora\/train)\//.test(f))).toEqual([]);
    expect(listing.filter((f) => f.startsWith('package/fixtures/corpora/eval/')).length).toBe(30);
    expect(size).toBeLessThan(2_000_000);

    const project = join(tmp, 'project');
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'my-checkpoint-tests', private: true, type: 'module', devDependencies: { vitest: pkg.devDependencies.vitest, 'vitest-regions': `file:../${tarball}` } }),
    );
    // As this repository's .npmrc: onnxruntime-node's install script would try to download the CUDA provider.
    writeFileSync(join(project, '.npmrc'), 'onnxruntime-node-install=skip\n');
    const install = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], project);
    expect(install.code, install.out).toBe(0);

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
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}, 300_000);
