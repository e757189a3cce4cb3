/**
 * Finding 1 — a core region of ~1% of the parameters carries linguistic competence: zeroing it makes
 * perplexity explode in every language, while zeroing a random region of the same size barely moves it.
 * Property: over the region fraction k, on a log scale from half the checkpoint's k to 5× it (a failure
 * shrinks to the largest k at which the finding still fails: where it starts to hold; src/vitest/arbitraries.ts),
 * and the random control's seed.
 * Whether the finding is expected to hold on this checkpoint, and the thresholds, come from its
 * regions.thresholds.json (see docs/findings.md for the fixture's numbers).
 */
import { fc, expectFinding, fcParameters, regionFraction, specBudget, test } from 'vitest-regions/vitest';

// Cold time of this spec, with the plugin's runs, everything on ONNX Runtime (Intel Xeon, Sapphire Rapids class, 2 cores):
// with one random control per run (2026-12-01) 8.5 s in `npx vitest run specs` on a quiet machine, 21.5 s inside
// `bash .ci/run` on a fresh clone with other work running (two spec files at a time, after the global setup's baseline
// and importance); with five random controls per run (2026-12-07) 20.8 s on a quiet machine and 20.0 s inside
// `bash .ci/run`. coldSeconds is the larger, rounded up with room; the budget is 3× that (REGIONS_TIME_SCALE scales it
// on a slower machine).
const budget = specBudget('finding 1 (core region)', { coldSeconds: 30, runs: 3 });

test('zeroing the core region wrecks every language, unlike a random region of the same size', ({ subject, regions }) =>
  budget.run(subject, async () => {
    const t = subject.thresholds.coreRegion;
    await fc.assert(
      fc.asyncProperty(regionFraction(t.fraction / 2, Math.min(0.5, t.fraction * 5)), fc.nat({ max: 1000 }), async (fraction, seed) => {
        await expectFinding(t.expected, subject).toLoseCompetenceWhenZeroed({ kind: 'top', fraction }, { control: t.control, seed });
      }),
      fcParameters(regions),
    );
  }),
  budget.timeout,
);
