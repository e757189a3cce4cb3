/**
 * Finding 2 — dimensional dependence: ×4 on a single parameter on certain hidden dimensions destroys
 * competence; the same perturbation on other dimensions does not. The sensitive dimensions are a property
 * of the checkpoint (its massive-activation dims, `regions dims`), recorded in regions.thresholds.json.
 * Property: over the checkpoint's candidate dims and the seed of the random control dims.
 */
import { fc, expectFinding, fcParameters, specBudget, test } from 'vitest-regions/vitest';

// Cold time of this spec, with the plugin's runs, everything on ONNX Runtime (Intel Xeon, Sapphire Rapids class, 2 cores;
// 2026-12-01): 14.9 s in `npx vitest run specs` on a quiet machine, 18.5 s inside `bash .ci/run` on a fresh
// clone with other work running (two spec files at a time, after the global setup's baseline and importance).
// coldSeconds is the larger, rounded up; the budget is 3× that (REGIONS_TIME_SCALE scales it on a slower machine).
const budget = specBudget('finding 2 (dimension sensitivity)', { coldSeconds: 19, runs: 3 });

test('×4 on one parameter at a sensitive dimension destroys competence, at a random one it does not', ({ subject, regions }) =>
  budget.run(subject, async () => {
    const t = subject.thresholds.dimensionSensitivity;
    const dims = t.dims === 'detected' ? await subject.detectedDims(t.layer) : (t.dims ?? []);
    if (dims.length === 0) throw new Error(`${subject.thresholdsFile ?? 'the thresholds'}: dimensionSensitivity.dims names no dimension to test`);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...dims), fc.nat({ max: 1000 }), async (dim, seed) => {
        await expectFinding(t.expected, subject).toBeDimensionSensitive({ dim, seed });
      }),
      fcParameters(regions),
    );
  }),
  budget.timeout,
);
