/**
 * Finding 4 — freezing the core region during further pre-training on one language mitigates the
 * catastrophic forgetting of the others, while the new language is still learned. One run without and one
 * with the region frozen (same seed, same data); both are cached by content hash.
 */
import { expectFinding, specBudget, test } from '../src/vitest/index.js';

// Cold time of this spec, everything on ONNX Runtime (Intel Xeon, Sapphire Rapids class, 2 cores;
// 2026-12-01): 39.3 s in `npx vitest run specs` on a quiet machine, 48.4 s inside `bash .ci/run` on a fresh
// clone with other work running (two spec files at a time, after the global setup's baseline and importance).
// coldSeconds is the larger, rounded up; the budget is 3× that (REGIONS_TIME_SCALE scales it on a slower machine).
const budget = specBudget('finding 4 (frozen further pre-training)', { coldSeconds: 49 });

test('freezing the core region during further pre-training makes the other languages forget less', ({ subject }) =>
  budget.run(subject, async () => {
    const t = subject.thresholds.frozenPretrain;
    const freeze = await subject.coreRegion(t.fraction);
    await expectFinding(t.expected, subject).toRetainAfterFrozenPretrain({ freeze });
  }),
  budget.timeout,
);
