/**
 * Finding 3 — monolingual regions: removing language L's own region (L's top-k minus the other region
 * languages' top-k) hurts L far more than the other languages. Property: over the region languages, each
 * expected to hold or not as the thresholds file says (`expectedFor` names the exceptions).
 */
import fc from 'fast-check';
import { expectFinding, fcParameters, test } from '../src/vitest/index.js';

test("removing a language's monolingual region hurts that language far more than the others", async ({ subject, regions }) => {
  const t = subject.thresholds.monolingual;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...subject.options.regionLanguages), async (language) => {
      await expectFinding(t.expectedFor[language] ?? t.expected, subject).toHaveMonolingualRegion(language);
    }),
    fcParameters(regions),
  );
});
