/**
 * Finding 2's activation form — a massive activation (Sun et al., COLM 2024): a residual dim whose largest
 * |activation| is above 100 and ≥ 1,000× its layer's median, and the paper's ×4 on one parameter at that dim
 * destroys competence while random dims do not. "Whatever dimension the detector finds": no dim is listed.
 * Property: over the seed of the random control dims. The perturbation's settings are finding 2's
 * (`dimensionSensitivity` in regions.thresholds.json), the criterion `massiveActivation`'s.
 */
import { fc, expectFinding, fcParameters, specBudget, test } from 'vitest-regions/vitest';

// Cold time of this spec on ONNX Runtime (Intel Xeon, 2 cores; polyglot-v2): 11.9 s inside `bash .ci/run` on a fresh
// clone on 2026-12-02; 19.5 s on 2026-12-08 with Sun et al.'s control added (the activation set to its mean and to zero:
// two more perplexities over 30 languages) and the intervals (two spec files at a time, after the global setup's
// baseline and importance). coldSeconds is the larger, rounded up with room; the budget is 3× that.
const budget = specBudget('massive activation (Sun et al.)', { coldSeconds: 30, runs: 3 });

test('a massive activation exists, and ×4 at its dim destroys competence, at random dims not', ({ subject, regions }) =>
  budget.run(subject, async () => {
    const t = subject.thresholds.massiveActivation;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 1000 }), async (seed) => {
        await expectFinding(t.expected, subject).toHaveMassiveActivation({ seed });
      }),
      fcParameters(regions),
    );
  }),
  budget.timeout,
);
