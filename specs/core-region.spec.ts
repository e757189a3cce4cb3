/**
 * Finding 1 — a core region of ~1% of the parameters carries linguistic competence: zeroing it makes
 * perplexity explode in every language, while zeroing a random region of the same size barely moves it.
 * Property: over the region fraction k (around the checkpoint's k) and the random control's seed.
 * Whether the finding is expected to hold on this checkpoint, and the thresholds, come from its
 * regions.thresholds.json (see docs/findings.md for the fixture's numbers).
 */
import fc from 'fast-check';
import { expectFinding, fcParameters, test } from '../src/vitest/index.js';

test('zeroing the core region wrecks every language, unlike a random region of the same size', async ({ subject, regions }) => {
  const t = subject.thresholds.coreRegion;
  const fractions = [t.fraction, t.fraction * 2, t.fraction * 5].filter((k) => k < 0.5);
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...fractions), fc.nat({ max: 1000 }), async (fraction, seed) => {
      await expectFinding(t.expected, subject).toLoseCompetenceWhenZeroed({ kind: 'top', fraction }, { control: t.control, seed });
    }),
    fcParameters(regions),
  );
});
