/**
 * One optimizer step of the fixture recipe (the fixture's config, scripts/fixture/settings.ts: 16
 * windows × 128 tokens, clipping, AdamW) on the engine `npm run fixture:train` uses — ONNX Runtime's CPU
 * provider, 2 intra-op threads — and the same 2,048 tokens cut as 8 × 256, which is why the recipe
 * trains on windows of 128.
 *
 *   npx vitest bench --run --project unit bench/fixture-step.bench.ts
 *
 * Attention costs grow with the window, and evaluation everywhere in this project uses windows of 128,
 * so positions 128–255 of a 256-token window buy compute the evaluation never uses.
 */
import { afterAll, bench, describe } from 'vitest';
import { parseModelConfig } from '../src/checkpoint/config.js';
import { Trainer } from '../src/train/trainer.js';
import { mulberry32 } from '../src/util/random.js';
import { initialWeights } from '../scripts/fixture/init.js';
import { FIXTURE_SETTINGS as S } from '../scripts/fixture/settings.js';

const config = parseModelConfig({ ...S.config, max_position_embeddings: 256 });
const rng = mulberry32(7);
const weights = initialWeights(config, 7, S.initStd);
const windowsOf = (count: number, length: number) =>
  Array.from({ length: count }, () => Array.from({ length }, (_, i) => (i === 0 ? 256 : Math.floor(rng() * 256))));
const long = windowsOf(8, 256);
const short = windowsOf(16, 128);
const options = { time: 4000, iterations: 5, warmupIterations: 1 };

const trainer = await Trainer.open(config, weights, {
  adam: { lr: 1e-3, ...S.adam },
  clipNorm: S.clipNorm,
  engine: 'ort-cpu',
  threads: S.threads,
  // the larger of the two shapes below, for the memory check: 8 windows of 256 tokens
  batch: 8,
  seqLen: 256,
});
// Build both gradient sessions outside the timed runs.
await trainer.trainStep(long, 1e-4);
await trainer.trainStep(short, 1e-4);

describe(`fixture training step, 2,048 tokens, ort-cpu ${S.threads} threads`, () => {
  bench('8 windows × 256 tokens', async () => {
    await trainer.trainStep(long, 1e-4);
  }, options);
  bench('16 windows × 128 tokens (the recipe)', async () => {
    await trainer.trainStep(short, 1e-4);
  }, options);
  afterAll(async () => {
    await trainer.close();
  });
});
