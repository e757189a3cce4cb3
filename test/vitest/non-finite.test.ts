/**
 * A NaN or an Infinity (a broken measurement, a language that was not measured) meets no threshold:
 * every matcher fails on it, and its `.not` passes — whichever condition the value belongs to (the region,
 * its control, the median, the selectivity, the forgetting prevented). Before, `ratio < min` was false for
 * NaN, so a finding could hold on a NaN.
 */
import { describe, expect, test } from 'vitest';
import type { Perturbation } from '../../src/perturb/perturbation.js';
import '../../src/vitest/fixtures.js';
import { stubCurve, stubFrozenRegion, stubRegion, stubSubject } from './helpers/stub-subject.js';

const kindOf = (p: Perturbation) => (p.kind === 'zero-region' ? p.region.kind : p.kind);
const BAD = [Number.NaN, Number.POSITIVE_INFINITY];
const top = stubRegion('top', [0, 9, 18, 27]);

describe.each(BAD)('%s meets no threshold', (bad) => {
  test('toLoseCompetenceWhenZeroed: in the region, or in its control', async () => {
    for (const ppl of [
      (p: Perturbation) => (kindOf(p) === 'top' ? { en: 200, zh: bad } : { en: 5.5, zh: 8.8 }),
      (p: Perturbation) => (kindOf(p) === 'top' ? { en: 200, zh: 96 } : { en: bad, zh: 8.8 }),
    ]) {
      const subject = stubSubject({ baseline: { en: 5, zh: 8 }, ppl });
      await expect(expect(subject).toLoseCompetenceWhenZeroed(top, { minRatio: 10, controlMaxRatio: 1.5 })).rejects.toThrow();
      await expect(subject).not.toLoseCompetenceWhenZeroed(top, { minRatio: 10, controlMaxRatio: 1.5 });
    }
  });

  test('toLoseCompetenceWhenZeroed: a baseline that is not a number', async () => {
    const subject = stubSubject({ baseline: { en: 5, zh: bad }, ppl: (p) => (kindOf(p) === 'top' ? { en: 200, zh: 96 } : { en: 5.5, zh: 8.8 }) });
    await expect(expect(subject).toLoseCompetenceWhenZeroed(top, { minRatio: 10, controlMaxRatio: 1.5 })).rejects.toThrow();
  });

  test('toBeDimensionSensitive: at the dim (median and every), or at a control dim', async () => {
    const at = (dimValue: number, controlValue: number) =>
      stubSubject({
        baseline: { en: 5, zh: 8, ar: 4 },
        ppl: (p) => ((p.kind === 'norm' ? p.dim : -1) === 7 ? { en: dimValue, zh: dimValue, ar: 400 } : { en: 6, zh: controlValue, ar: 4.4 }),
      });
    for (const [subject, aggregate] of [
      [at(bad, 9.6), 'median'],
      [at(bad, 9.6), 'every'],
      [at(150, bad), 'median'],
    ] as const) {
      const options = { layer: 1, dim: 7, controlDims: [1, 3], minRatio: 10, controlMaxRatio: 1.5, aggregate };
      await expect(expect(subject).toBeDimensionSensitive(options)).rejects.toThrow();
      await expect(subject).not.toBeDimensionSensitive(options);
    }
  });

  test('toBeDimensionSensitive (median): one broken language of three is not outvoted by the other two', async () => {
    // en broken, zh ×18.75 and ar ×100: a median that skips or sorts past the broken one would hold at ×10.
    const subject = stubSubject({
      baseline: { en: 5, zh: 8, ar: 4 },
      ppl: (p) => ((p.kind === 'norm' ? p.dim : -1) === 7 ? { en: bad, zh: 150, ar: 400 } : { en: 5.5, zh: 8.8, ar: 4.4 }),
    });
    const options = { layer: 1, dim: 7, controlDims: [1, 3], minRatio: 10, controlMaxRatio: 1.5, aggregate: 'median' as const };
    await expect(expect(subject).toBeDimensionSensitive(options)).rejects.toThrow(/median/);
    await expect(subject).not.toBeDimensionSensitive(options);
  });

  test('toHaveSuperWeight (median): one broken language of three is not outvoted by the other two', async () => {
    const subject = stubSubject({ baseline: { en: 5, zh: 8, ar: 4 }, ppl: (p) => (p.kind === 'zero-region' ? { en: bad, zh: 800, ar: 400 } : { en: 5, zh: 8, ar: 4 }) });
    await expect(expect(subject).toHaveSuperWeight({ aggregate: 'median' })).rejects.toThrow(/median/);
    await expect(subject).not.toHaveSuperWeight({ aggregate: 'median' });
  });

  test('toHaveMonolingualRegion and toHaveSelectiveLanguageNeurons: one broken other language is not outvoted in the median of the others', async () => {
    // ar ×10, en broken, zh and fr ×1.01: the median of the others must not come out ×1.01 (selectivity 231).
    const subject = stubSubject({ baseline: { ar: 4, en: 5, zh: 8, fr: 6 }, ppl: () => ({ ar: 40, en: bad, zh: 8.08, fr: 6.06 }) });
    await expect(expect(subject).toHaveMonolingualRegion('ar', { minRatio: 2, minSelectivity: 3 })).rejects.toThrow(/selectivity/);
    await expect(subject).not.toHaveMonolingualRegion('ar', { minRatio: 2, minSelectivity: 3 });
    await expect(expect(subject).toHaveSelectiveLanguageNeurons('ar', { minRatio: 2, minSelectivity: 3 })).rejects.toThrow(/selectivity/);
    await expect(subject).not.toHaveSelectiveLanguageNeurons('ar', { minRatio: 2, minSelectivity: 3 });
  });

  test('toHaveMonolingualRegion: its own language, or another one (selectivity)', async () => {
    for (const ppl of [() => ({ ar: bad, en: 5.5, zh: 8.4 }), () => ({ ar: 40, en: bad, zh: bad })]) {
      const subject = stubSubject({ baseline: { ar: 4, en: 5, zh: 8 }, ppl });
      await expect(expect(subject).toHaveMonolingualRegion('ar', { minRatio: 2, minSelectivity: 3 })).rejects.toThrow();
      await expect(subject).not.toHaveMonolingualRegion('ar', { minRatio: 2, minSelectivity: 3 });
    }
  });

  test('toHaveSelectiveLanguageNeurons: its own language, or another one (selectivity)', async () => {
    for (const ppl of [() => ({ ar: bad, en: 5.5, zh: 8.4 }), () => ({ ar: 40, en: bad, zh: bad })]) {
      const subject = stubSubject({ baseline: { ar: 4, en: 5, zh: 8 }, ppl });
      await expect(expect(subject).toHaveSelectiveLanguageNeurons('ar', { minRatio: 2, minSelectivity: 3 })).rejects.toThrow();
      await expect(subject).not.toHaveSelectiveLanguageNeurons('ar', { minRatio: 2, minSelectivity: 3 });
    }
  });

  test('toHaveSuperWeight: zeroing the weight (every and median), or a control entry', async () => {
    const at = (weightValue: number, controlValue: number) =>
      stubSubject({ baseline: { en: 5, zh: 8, ar: 4 }, ppl: (p) => (p.kind === 'zero-region' ? { en: weightValue, zh: weightValue, ar: 400 } : { en: 5, zh: controlValue, ar: 4 }) });
    for (const [subject, aggregate] of [
      [at(bad, 8), 'every'],
      [at(bad, 8), 'median'],
      [at(500, bad), 'every'],
    ] as const) {
      await expect(expect(subject).toHaveSuperWeight({ aggregate })).rejects.toThrow();
      await expect(subject).not.toHaveSuperWeight({ aggregate });
    }
    // The same numbers, finite: it holds (so the failures above are the NaN's doing).
    await expect(at(500, 8)).toHaveSuperWeight();
  });

  test('toHaveMassiveActivation: at the massive dim, or at a control dim', async () => {
    const at = (dimValue: number, controlValue: number) =>
      stubSubject({ baseline: { en: 5, zh: 8, ar: 4 }, ppl: (p) => ((p.kind === 'norm' ? p.dim : -1) === 7 ? { en: dimValue, zh: dimValue, ar: 400 } : { en: 5, zh: controlValue, ar: 4 }) });
    for (const subject of [at(bad, 8), at(500, bad)]) {
      await expect(expect(subject).toHaveMassiveActivation()).rejects.toThrow();
      await expect(subject).not.toHaveMassiveActivation();
    }
    await expect(at(500, 8)).toHaveMassiveActivation();
  });

  test('toRetainAfterFrozenPretrain: a retained language, or the trained one', async () => {
    const core = stubFrozenRegion('top', [0, 9, 18, 27]);
    for (const frozenAfter of [{ en: bad, zh: 20 }, { en: 12, zh: bad }]) {
      const subject = stubSubject({
        baseline: { en: 10, zh: 100 },
        ppl: () => ({}),
        curves: (kind) => (kind === null ? stubCurve({ en: 40, zh: 10 }, false) : stubCurve(frozenAfter, true)),
      });
      for (const aggregate of ['every', 'mean'] as const) {
        const options = { freeze: core, train: 'zh', retain: ['en'], steps: 50, minPrevented: 0.5, minLearningKept: 0.5, aggregate };
        await expect(expect(subject).toRetainAfterFrozenPretrain(options)).rejects.toThrow();
        await expect(subject).not.toRetainAfterFrozenPretrain(options);
      }
    }
  });
});
