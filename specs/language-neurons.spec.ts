/**
 * Finding 3's forward-only rival — language-specific neurons (LAPE, Tang et al., ACL 2024): deactivating the
 * FFN neurons LAPE assigns to language L hurts L far more than the other languages — measured exactly as the
 * gradient monolingual region of finding 3 is (same thresholds by default), so the two are compared side by
 * side; each record also holds the two regions' overlap (Jaccard). Property: over the region languages (every
 * one, then random draws), each expected to hold or not as regions.thresholds.json says (`languageNeurons`).
 */
import { fc, expectFinding, fcParameters, specBudget, test } from 'vitest-regions/vitest';

// Cold time of this spec on ONNX Runtime (Intel Xeon, 2 cores; 2026-12-02, polyglot-v2): 12.3–14.3 s in two cold
// `npx vitest run specs`, 17.7 s inside `bash .ci/run` on a fresh clone (two spec files at a time, after the global
// setup's baseline and importance). coldSeconds is the larger, rounded up with room; the budget is 3× that.
const budget = specBudget('language neurons (LAPE)', { coldSeconds: 30, runs: 3 });

test("deactivating a language's LAPE neurons hurts that language far more than the others", ({ subject, regions }) =>
  budget.run(subject, async () => {
    const t = subject.thresholds.languageNeurons;
    const languages = subject.options.regionLanguages;
    const parameters = fcParameters(regions);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...languages), async (language) => {
        await expectFinding(t.expectedFor[language] ?? t.expected, subject).toHaveSelectiveLanguageNeurons(language);
      }),
      // Every region language once, then the random draws (a repeated language is read from the results cache).
      { ...parameters, examples: languages.map((language): [string] => [language]), numRuns: parameters.numRuns + languages.length },
    );
  }),
  budget.timeout,
);
