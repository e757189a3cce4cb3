/**
 * Finding 4 — freezing the core region during further pre-training on one language mitigates the
 * catastrophic forgetting of the others, while the new language is still learned (measured on held-out text
 * of its training domain). One run without, one with the region frozen and, where the thresholds name a
 * control, one with a random region of the same size frozen (same seed, same data); all cached by content hash.
 */
import { expectFinding, specBudget, test } from 'vitest-regions/vitest';

// Cold time of this spec, everything on ONNX Runtime (AMD EPYC, 2 cores; 2026-12-02, polyglot-v2's thresholds:
// three runs of 200 steps): 94.4 s in `npx vitest run specs` (two spec files at a time, after the global
// setup's baseline and importance). coldSeconds is that, rounded up with room for a loaded CI machine; the budget
// is 3× that (REGIONS_TIME_SCALE scales it on a slower machine).
const budget = specBudget('finding 4 (frozen further pre-training)', { coldSeconds: 110 });

test('freezing the core region during further pre-training makes the other languages forget less', ({ subject }) =>
  budget.run(subject, async () => {
    const t = subject.thresholds.frozenPretrain;
    const freeze = await subject.coreRegion(t.fraction);
    await expectFinding(t.expected, subject).toRetainAfterFrozenPretrain({ freeze });
  }),
  budget.timeout,
);
