/**
 * Finding 3 — monolingual regions: removing language L's own region (L's top-k minus the other region
 * languages' top-k) hurts L far more than the other languages. Property: over the region languages (every
 * one of them, then random draws), each expected to hold or not as the thresholds file says (`expectedFor`
 * names the exceptions).
 */
import { fc, expectFinding, fcParameters, specBudget, test } from 'vitest-regions/vitest';

// Cold time of this spec, with the plugin's runs, everything on ONNX Runtime (Intel Xeon, Sapphire Rapids class, 2 cores;
// 2026-12-01): 15.5 s in `npx vitest run specs` on a quiet machine, 29.3 s inside `bash .ci/run` on a fresh
// clone with other work running (two spec files at a time, after the global setup's baseline and importance).
// coldSeconds is the larger, rounded up; the budget is 3× that (REGIONS_TIME_SCALE scales it on a slower machine).
const budget = specBudget('finding 3 (monolingual regions)', { coldSeconds: 30, runs: 3 });

test("removing a language's monolingual region hurts that language far more than the others", ({ subject, regions }) =>
  budget.run(subject, async () => {
    const t = subject.thresholds.monolingual;
    const languages = subject.options.regionLanguages;
    const parameters = fcParameters(regions);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...languages), async (language) => {
        await expectFinding(t.expectedFor[language] ?? t.expected, subject).toHaveMonolingualRegion(language);
      }),
      // Every region language once (fast-check runs examples first, within numRuns), then the random draws;
      // a repeated language is read from the results cache.
      { ...parameters, examples: languages.map((language): [string] => [language]), numRuns: parameters.numRuns + languages.length },
    );
  }),
  budget.timeout,
);
