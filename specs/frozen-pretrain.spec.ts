/**
 * Finding 4 — freezing the core region during further pre-training on one language mitigates the
 * catastrophic forgetting of the others, while the new language is still learned. One run without and one
 * with the region frozen (same seed, same data); both are cached by content hash.
 */
import { expectFinding, test } from '../src/vitest/index.js';

test('freezing the core region during further pre-training makes the other languages forget less', async ({ subject }) => {
  const t = subject.thresholds.frozenPretrain;
  const freeze = await subject.coreRegion(t.fraction);
  await expectFinding(t.expected, subject).toRetainAfterFrozenPretrain({ freeze });
}, 900_000);
