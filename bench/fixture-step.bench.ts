/**
 * Why the fixture recipe trains on windows of 128 tokens: one optimizer step of the fixture model
 * (polyglot-mini's config, scripts/fixture/settings.ts) on the same 2,048 tokens cut two ways, on the
 * 2-worker wasm pool that `npm run fixture:train` uses.
 *
 *   npx vitest bench --run --project unit bench/fixture-step.bench.ts
 *
 * Attention costs grow with the window, and evaluation everywhere in this project uses windows of 128,
 * so positions 128–255 of a 256-token window buy compute the evaluation never uses.
 */
import { afterAll, bench, describe } from 'vitest';
import { parseModelConfig } from '../src/checkpoint/config.js';
import { ModelPool } from '../src/parallel/pool.js';
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
const adam = { lr: 1e-3, ...S.adam };
const options = { time: 4000, iterations: 5, warmupIterations: 1 };

const pool = await ModelPool.create(config, weights, { workers: S.workers, backend: 'wasm' });

describe('fixture training step, 2,048 tokens, 2 wasm workers', () => {
  bench('8 windows × 256 tokens', async () => {
    await pool.trainStep(long, adam, 1e-4, S.clipNorm);
  }, options);
  bench('16 windows × 128 tokens', async () => {
    await pool.trainStep(short, adam, 1e-4, S.clipNorm);
  }, options);
  afterAll(async () => {
    await pool.close();
  });
});
