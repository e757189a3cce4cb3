/**
 * The paired bootstrap of a perplexity ratio (src/metrics/bootstrap.ts): seeded and exact to repeat, the
 * estimate inside its interval, degenerate where every window agrees, and — on simulated windows with a
 * known true ratio — covering it about 95% of the time. The joint bootstrap of a statistic of several texts (a
 * median of ratios, a selectivity, a share of forgetting) resamples each text as its own ratio's interval does.
 */
import { describe, expect, it } from 'vitest';
import { ratioInterval, seedFor, statisticInterval, unitsInterval } from '../../src/metrics/bootstrap.js';
import { median } from '../../src/util/stats.js';
import { mulberry32, normal } from '../../src/util/random.js';

/** n windows of `tokens` tokens: baseline NLL per token ~ 2 ± 0.3 by window, the perturbed one shifted by log(trueRatio) ± noise. */
function windows(n: number, trueRatio: number, seed: number, tokens = 127) {
  const rng = mulberry32(seed);
  const baseline: number[] = [];
  const perturbed: number[] = [];
  for (let i = 0; i < n; i++) {
    const difficulty = 2 + 0.3 * normal(rng);
    baseline.push(tokens * difficulty);
    perturbed.push(tokens * (difficulty + Math.log(trueRatio) + 0.2 * normal(rng)));
  }
  return { baseline, perturbed, tokens: new Array<number>(n).fill(tokens) };
}

const estimate = (w: { baseline: number[]; perturbed: number[]; tokens: number[] }) =>
  Math.exp((w.perturbed.reduce((a, b) => a + b, 0) - w.baseline.reduce((a, b) => a + b, 0)) / w.tokens.reduce((a, b) => a + b, 0));

describe('ratioInterval', () => {
  it('is seeded: the same windows and seed give the same interval, bit for bit; the estimate lies inside', () => {
    const w = windows(9, 4, 1);
    const a = ratioInterval(w, { seed: 7 })!;
    expect(ratioInterval(w, { seed: 7 })).toEqual(a);
    expect(ratioInterval(w, { seed: 8 })).not.toEqual(a);
    expect(a[0]).toBeLessThan(estimate(w));
    expect(a[1]).toBeGreaterThan(estimate(w));
  });

  it('shrinks to the ratio where every window moves alike, and widens with fewer windows', () => {
    const same = { baseline: [100, 200, 300], perturbed: [110, 210, 310], tokens: [10, 10, 10] };
    const [lo, hi] = ratioInterval(same)!;
    expect(lo).toBeCloseTo(Math.exp(1), 12);
    expect(hi).toBeCloseTo(Math.exp(1), 12);
    const width = (n: number) => {
      const [l, h] = ratioInterval(windows(n, 2, 3))!;
      return h / l;
    };
    expect(width(8)).toBeGreaterThan(width(128));
  });

  it('covers the true ratio in about 95% of simulated evaluations', () => {
    let covered = 0;
    const trials = 300;
    for (let t = 0; t < trials; t++) {
      const [lo, hi] = ratioInterval(windows(40, 3, 100 + t), { resamples: 1000, seed: t })!;
      if (lo <= 3 && 3 <= hi) covered++;
    }
    // The percentile bootstrap on 40 windows runs a little narrow; 95% ± 4.
    expect(covered / trials).toBeGreaterThan(0.9);
    expect(covered / trials).toBeLessThanOrEqual(0.99);
  });

  it('is null for a window whose NLL is not finite; refuses lists of different lengths and bad settings', () => {
    expect(ratioInterval({ baseline: [1, 2], perturbed: [Infinity, 3], tokens: [1, 1] })).toBeNull();
    expect(() => ratioInterval({ baseline: [1], perturbed: [1, 2], tokens: [1] })).toThrow('ratioInterval: 1 baseline, 2 perturbed and 1 token counts');
    expect(() => ratioInterval({ baseline: [], perturbed: [], tokens: [] })).toThrow('expected equal, non-zero');
    expect(() => ratioInterval(windows(3, 2, 1), { resamples: 0 })).toThrow('resamples must be a whole number ≥ 1');
    expect(() => ratioInterval(windows(3, 2, 1), { confidence: 1 })).toThrow('confidence must be in (0, 1)');
  });

  it('seedFor gives each language its own stream from one base seed', () => {
    expect(seedFor(0, 'en')).toBe(seedFor(0, 'en'));
    expect(seedFor(0, 'en')).not.toBe(seedFor(0, 'zh'));
    expect(seedFor(1, 'en')).not.toBe(seedFor(0, 'en'));
  });
});

describe('statisticInterval', () => {
  it("on one text, with the ratio as its statistic, is the ratio's own interval: the same resamples", () => {
    const w = windows(9, 3, 2);
    const own = ratioInterval(w, { seed: 11 })!;
    const joint = statisticInterval([{ nll: [w.baseline, w.perturbed], tokens: w.tokens, seed: 11 }], ([m]) => Math.exp(m![1]! - m![0]!))!;
    expect(joint[0]).toBeCloseTo(own[0], 10);
    expect(joint[1]).toBeCloseTo(own[1], 10);
  });

  it("the median of several languages' ratios: seeded, around the median of the estimates, inside the span of their intervals", () => {
    const langs = [1.5, 2, 4, 8, 16].map((r, i) => ({ w: windows(9, r, 20 + i), seed: seedFor(0, `l${i}`) }));
    const texts = langs.map(({ w, seed }) => ({ nll: [w.baseline, w.perturbed], tokens: w.tokens, seed }));
    const statistic = (means: number[][]) => median(means.map(([b, p]) => Math.exp(p! - b!)));
    const ci = statisticInterval(texts, statistic)!;
    expect(statisticInterval(texts, statistic)).toEqual(ci);
    const med = median(langs.map(({ w }) => estimate(w)));
    expect(ci[0]).toBeLessThan(med);
    expect(ci[1]).toBeGreaterThan(med);
    const own = langs.map(({ w, seed }) => ratioInterval(w, { seed })!);
    expect(ci[0]).toBeGreaterThanOrEqual(Math.min(...own.map((c) => c[0])));
    expect(ci[1]).toBeLessThanOrEqual(Math.max(...own.map((c) => c[1])));
  });

  it('is null where a window or a resample gives no finite statistic, and refuses texts whose conditions differ in length', () => {
    const w = windows(5, 2, 3);
    expect(statisticInterval([{ nll: [w.baseline, w.perturbed.map((x, i) => (i === 2 ? Infinity : x))], tokens: w.tokens, seed: 1 }], () => 1)).toBeNull();
    // A share of a change that is zero in some resample: undefined there.
    expect(statisticInterval([{ nll: [w.baseline, w.baseline], tokens: w.tokens, seed: 1 }], ([m]) => 1 / (m![1]! - m![0]!))).toBeNull();
    expect(() => statisticInterval([{ nll: [w.baseline, w.perturbed.slice(1)], tokens: w.tokens, seed: 1 }], () => 1)).toThrow(/text 0 has 5 token counts and conditions of 5, 4 windows/);
    expect(() => statisticInterval([{ nll: [[]], tokens: [], seed: 1 }], () => 1)).toThrow(/expected equal, non-zero/);
    expect(() => statisticInterval([{ nll: [w.baseline], tokens: w.tokens, seed: 1 }], () => 1, { resamples: 0 })).toThrow(/resamples must be a whole number ≥ 1/);
  });
});

describe('unitsInterval (a peak over windows)', () => {
  const max = (xs: Float64Array) => xs.reduce((m, x) => Math.max(m, x), 0);

  it('tops out at the observed peak, and falls far below it where one window of 24 carries the peak', () => {
    const alone = Array.from({ length: 24 }, (_, i) => (i === 5 ? 100 : 2));
    const [lo, hi] = unitsInterval(alone, max, { seed: 3 })!;
    expect(hi).toBe(100);
    expect(lo).toBe(2); // a resample leaves window 5 out with probability (23/24)^24 ≈ 36%: the 2.5th percentile is 2
    const everywhere = Array.from({ length: 24 }, (_, i) => 98 + (i % 3));
    const [lo2, hi2] = unitsInterval(everywhere, max, { seed: 3 })!;
    expect(hi2).toBe(100);
    expect(lo2).toBe(100); // the peak sits in 8 windows: every resample draws one of them at this confidence
  });

  it('is seeded, null on a non-finite unit, and refuses no units', () => {
    const units = [1, 5, 3, 9, 2];
    expect(unitsInterval(units, max, { seed: 1 })).toEqual(unitsInterval(units, max, { seed: 1 }));
    expect(unitsInterval([1, NaN], max)).toBeNull();
    expect(() => unitsInterval([], max)).toThrow(/no units/);
  });
});
