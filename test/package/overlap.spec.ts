/**
 * Copied into the packed package's test project by packed.test.ts, and run there against the installed
 * package: measurements that overlap on one subject (`Promise.all` inside a test, and `test.concurrent`
 * tests) give the numbers each gives alone, and the model's weights come out bit-identical. Uncached
 * subjects, so every number is computed, never read back.
 */
import { zeroRegion } from 'vitest-regions';
import { expect, openSubject, test, type RegionsSubject } from 'vitest-regions/vitest';

let shared: RegionsSubject;
let zeroTop: ReturnType<typeof zeroRegion>;
let zeroRandom: ReturnType<typeof zeroRegion>;
const alone: Record<string, unknown> = {};
let bits: Uint32Array[];

const weightBits = async (s: RegionsSubject) =>
  Promise.all(s.model.weightNames().map(async (n) => new Uint32Array(Float32Array.from(await s.model.readWeight(n)).buffer)));

test('alone: each measurement after the other', async ({ subject }) => {
  const options = { ...subject.options, cache: false };
  const first = await openSubject(options);
  zeroTop = zeroRegion(await first.region({ kind: 'top', fraction: 0.05 }));
  zeroRandom = zeroRegion(await first.region({ kind: 'random', fraction: 0.05, seed: 7 }));
  alone.top = await first.perplexity(zeroTop);
  alone.random = await first.perplexity(zeroRandom);
  alone.baseline = await first.baseline();
  await first.close();
  shared = await openSubject(options);
  bits = await weightBits(shared);
});

test.concurrent('together: Promise.all over two zeroings and the baseline', async () => {
  const [top, random, baseline] = await Promise.all([shared.perplexity(zeroTop), shared.perplexity(zeroRandom), shared.perplexity([])]);
  expect({ top, random, baseline }).toEqual(alone);
});

test.concurrent('together: a concurrent test zeroing the other way round', async () => {
  const [random, top] = await Promise.all([shared.perplexity(zeroRandom), shared.perplexity(zeroTop)]);
  expect({ top, random }).toEqual({ top: alone.top, random: alone.random });
});

test('afterwards: the weights are bit-identical and the baseline unchanged', async () => {
  expect(await weightBits(shared)).toEqual(bits);
  expect(await shared.perplexity([])).toEqual(alone.baseline);
  await shared.close();
});
