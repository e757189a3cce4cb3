/**
 * Finding 2's single-parameter form — a super weight (Yu et al., 2024): one scalar of an early
 * `mlp.down_proj.weight`, found from one forward pass by the spike it leaves in that down_proj's input and
 * output, whose zeroing wrecks every language while zeroing random entries of the same tensor does not.
 * Property: over the seed of the random control entries. The coordinate is the detector's (or the thresholds
 * file's `superWeight.at`); whether the finding is expected to hold comes from regions.thresholds.json.
 */
import { fc, expectFinding, fcParameters, specBudget, test } from 'vitest-regions/vitest';

// Cold time of this spec on ONNX Runtime (Intel Xeon, 2 cores; 2026-12-02, polyglot-v2): 10.1–11.8 s in two cold
// `npx vitest run specs`, 12.2 s inside `bash .ci/run` on a fresh clone (two spec files at a time, after the global
// setup's baseline and importance). coldSeconds is the larger, rounded up with room; the budget is 3× that.
const budget = specBudget('super weight (Yu et al.)', { coldSeconds: 20, runs: 3 });

test('zeroing the super weight the detector finds wrecks every language, unlike random entries of the same tensor', ({ subject, regions }) =>
  budget.run(subject, async () => {
    const t = subject.thresholds.superWeight;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 1000 }), async (seed) => {
        await expectFinding(t.expected, subject).toHaveSuperWeight({ seed });
      }),
      fcParameters(regions),
    );
  }),
  budget.timeout,
);
