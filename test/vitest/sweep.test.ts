/**
 * A sweep that means something: a property over the region fraction k that fails shrinks to the boundary
 * where the finding starts to hold. On a synthetic instrument with a known answer — a stub subject whose
 * zeroed top-k region multiplies perplexity by 1 + 500·k in every language (so ×10, the threshold, is
 * reached at k = 1.8%) while a random region of the same size changes nothing — the property "zeroing the
 * top-k region wrecks every language" over k in [0.1%, 10%] fails below 1.8%, and fast-check's minimal
 * counterexample must be just below 1.8%. The specs draw k with the same arbitrary (specs/core-region.spec.ts).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Perturbation } from '../../src/perturb/perturbation.js';
import { hiddenDim, layerIndex, regionFraction } from '../../src/vitest/arbitraries.js';
import '../../src/vitest/fixtures.js';
import type { RegionsRecord } from '../../src/findings/measure/result.js';
import type { FindingEntry } from '../../src/report/results.js';
import { sweepBoundary } from '../../src/report/sections/finding.js';
import { stubSubject } from './helpers/stub-subject.js';

const BOUNDARY = 9 / 500; // 1 + 500·k = 10
const BOUNDARY_PERCENT = 1.8; // the same, in percent (9 / 500 * 100 is 1.7999999999999998 in doubles)

const factor = (p: Perturbation) => (p.kind === 'zero-region' && p.region.kind === 'top' ? 1 + 500 * p.region.fraction : 1);
const subject = stubSubject({
  baseline: { en: 5, zh: 8 },
  ppl: (p) => ({ en: 5 * factor(p), zh: 8 * factor(p) }),
});

describe('regionFraction', () => {
  test('a failing sweep over k shrinks to the largest k at which the finding still fails: the boundary', async ({ task }) => {
    const result = await fc.check(
      fc.asyncProperty(regionFraction(0.001, 0.1), async (fraction) => {
        await expect(subject).toLoseCompetenceWhenZeroed({ kind: 'top', fraction }, { minRatio: 10, control: 'random', controlMaxRatio: 1.5, seed: 1 });
      }),
      { numRuns: 50, seed: 42 },
    );
    expect(result.failed).toBe(true);
    const [k] = result.counterexample as [number];
    expect(k).toBeLessThan(BOUNDARY);
    expect(k).toBeGreaterThan(BOUNDARY * 0.99); // within 1% of the known boundary
    // The report states the boundary from the assertions the sweep recorded (every run and shrinking step).
    const records = task.meta.regions as RegionsRecord[];
    const line = sweepBoundary({ assertions: records } as unknown as FindingEntry);
    expect(line).toMatch(/^k swept over 0\.1\d*%–\d[\d.]*% \(\d+ values\): the boundary (is at|lies between) k = /);
    // The boundary's k (one, or the two either side), in percent as printed: within 1% of the known 1.8%.
    const ks = [...line.split(': ')[1]!.matchAll(/k = ([\d.]+)%|and ([\d.]+)%/g)].map((m) => Number(m[1] ?? m[2]));
    expect(ks.length).toBeGreaterThan(0);
    for (const k of ks) expect(Math.abs(k - BOUNDARY_PERCENT) / BOUNDARY_PERCENT).toBeLessThan(0.01);
  });

  test('the same sweep passes where the finding holds everywhere (k ≥ the boundary)', async () => {
    await fc.assert(
      fc.asyncProperty(regionFraction(BOUNDARY, 0.1), async (fraction) => {
        await expect(subject).toLoseCompetenceWhenZeroed({ kind: 'top', fraction }, { minRatio: 10, control: 'random', controlMaxRatio: 1.5, seed: 1 });
      }),
      { numRuns: 30, seed: 42 },
    );
  });

  test('draws on a log scale inside its range, and refuses a range outside (0, 1)', () => {
    const ks = fc.sample(regionFraction(0.001, 0.1), { numRuns: 2000, seed: 7 });
    expect(Math.min(...ks)).toBeGreaterThanOrEqual(0.001);
    expect(Math.max(...ks)).toBeLessThanOrEqual(0.1);
    const below1pct = ks.filter((k) => k < 0.01).length / ks.length;
    expect(below1pct).toBeGreaterThan(0.3); // half the log range lies below 1% (a linear draw would put 9% there)
    expect(below1pct).toBeLessThan(0.7);
    expect(() => regionFraction(0, 0.1)).toThrow(RangeError);
    expect(() => regionFraction(0.2, 0.1)).toThrow(/0 < min ≤ max < 1/);
  });

  test('hidden dims and layers stay inside the model, shrinking to 0', () => {
    expect(fc.sample(hiddenDim(128), { numRuns: 500, seed: 1 }).every((d) => d >= 0 && d < 128 && Number.isInteger(d))).toBe(true);
    expect(fc.sample(layerIndex(4), { numRuns: 200, seed: 1 }).every((l) => l >= 0 && l < 4)).toBe(true);
    expect(() => hiddenDim(0)).toThrow(RangeError);
  });
});
