/**
 * The failure messages of every matcher, pass and `.not` wording, pinned against a stub subject with
 * fixed numbers (no model: the numbers are exact on every machine).
 */
import { describe, expect, test } from 'vitest';
import type { Perturbation } from '../../src/perturb/perturbation.js';
import '../../src/vitest/fixtures.js';
import { stubCurve, stubFrozenRegion, stubRegion, stubSubject } from './helpers/stub-subject.js';

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** The message of an assertion that must fail. */
async function failure(assertion: () => Promise<void>): Promise<string> {
  try {
    await assertion();
  } catch (err) {
    return stripAnsi((err as Error).message);
  }
  throw new Error('the assertion passed, but it was expected to fail');
}

const kindOf = (p: Perturbation) => (p.kind === 'zero-region' ? p.region.kind : p.kind);

describe('toLoseCompetenceWhenZeroed', () => {
  // top region: en ×40, zh ×12; random control: en ×1.1, zh ×2 (too much).
  const subject = stubSubject({
    baseline: { en: 5, zh: 8 },
    ppl: (p) => (kindOf(p) === 'top' ? { en: 200, zh: 96 } : { en: 5.5, zh: 16 }),
  });
  const top = stubRegion('top', [0, 9, 18, 27]);

  test('fails, naming each failed condition, with one table for the region and one for its control', async () => {
    const message = await failure(() => expect(subject).toLoseCompetenceWhenZeroed(top, { minRatio: 10, controlMaxRatio: 1.5, seed: 3, controlCount: 1 }));
    expect(message).toMatchInlineSnapshot(`
      "expect(subject).toLoseCompetenceWhenZeroed(region)

      Expected: zeroing the top region (4 entries) raises perplexity by at least ×10.0 in every language, while zeroing a random control of the same size keeps it within ×1.50
      Received: it did not hold:
        ✗ zeroing the random control raised perplexity above ×1.50 in zh (×2.00)
      Checkpoint: stub (sha256 f00dfeedbeef) at /models/stub

        region: zero the top region (k = 5%, en,zh): 4 entries in 1 weight
        language | baseline ppl | perturbed ppl | ratio | 95% interval | threshold |
        ---------|--------------|---------------|-------|--------------|-----------|--
        en       |        5.000 |         200.0 | ×40.0 |  ×40.0–×40.0 |   ≥ ×10.0 | ✓
        zh       |        8.000 |         96.00 | ×12.0 |  ×12.0–×12.0 |   ≥ ×10.0 | ✓

        control: zero the random region (k = 5%): 4 entries in 1 weight, seed 3
        language | baseline ppl | perturbed ppl | ratio | 95% interval | threshold |
        ---------|--------------|---------------|-------|--------------|-----------|--
        en       |        5.000 |         5.500 | ×1.10 |  ×1.10–×1.10 |   ≤ ×1.50 | ✓
        zh       |        8.000 |         16.00 | ×2.00 |  ×2.00–×2.00 |   ≤ ×1.50 | ✗"
    `);
  });

  test('.not fails when the finding holds, listing what held', async () => {
    const message = await failure(() => expect(subject).not.toLoseCompetenceWhenZeroed(top, { minRatio: 10, controlMaxRatio: 2.5, seed: 3 }));
    expect(message).toMatchInlineSnapshot(`
      "expect(subject).not.toLoseCompetenceWhenZeroed(region)

      Expected the finding not to hold: zeroing the top region (4 entries) raises perplexity by at least ×10.0 in every language, while zeroing each of 5 random controls of the same size keeps it within ×2.50
      Received: it held:
        ✓ zeroing the region raised perplexity by at least ×10.0 in every language (least: zh ×12.0)
        ✓ zeroing each of 5 random controls (seeds 3–7) kept perplexity within ×2.50 in every language (most: zh ×2.00, seed 3)
      Checkpoint: stub (sha256 f00dfeedbeef) at /models/stub

        region: zero the top region (k = 5%, en,zh): 4 entries in 1 weight
        language | baseline ppl | perturbed ppl | ratio | 95% interval | threshold |
        ---------|--------------|---------------|-------|--------------|-----------|--
        en       |        5.000 |         200.0 | ×40.0 |  ×40.0–×40.0 |   ≥ ×10.0 | ✓
        zh       |        8.000 |         96.00 | ×12.0 |  ×12.0–×12.0 |   ≥ ×10.0 | ✓

        controls: 5 random regions of the same size (4 entries each), seeds 3–7
        language | baseline ppl | seed 3 | seed 4 | seed 5 | seed 6 | seed 7 | threshold |
        ---------|--------------|--------|--------|--------|--------|--------|-----------|--
        en       |        5.000 |  ×1.10 |  ×1.10 |  ×1.10 |  ×1.10 |  ×1.10 |   ≤ ×2.50 | ✓
        zh       |        8.000 |  ×2.00 |  ×2.00 |  ×2.00 |  ×2.00 |  ×2.00 |   ≤ ×2.50 | ✓"
    `);
  });
});

describe('toLoseCompetenceWhenZeroed against a distribution of random controls', () => {
  // Five random controls, seeds 3–7: each keeps en ×1.1 and zh ×1.05, but seed 5's moves zh ×2.
  const subject = stubSubject({
    baseline: { en: 5, zh: 8 },
    ppl: (p) => (p.kind === 'zero-region' && p.region.kind === 'top' ? { en: 200, zh: 96 } : p.kind === 'zero-region' && p.region.seed === 5 ? { en: 5.5, zh: 16 } : { en: 5.5, zh: 8.4 }),
  });
  const top = stubRegion('top', [0, 9, 18, 27]);

  test('fails on the one control that moved a language too much, naming its seed, with a column per control', async () => {
    const message = await failure(() => expect(subject).toLoseCompetenceWhenZeroed(top, { minRatio: 10, controlMaxRatio: 1.5, seed: 3 }));
    expect(message).toMatchInlineSnapshot(`
      "expect(subject).toLoseCompetenceWhenZeroed(region)

      Expected: zeroing the top region (4 entries) raises perplexity by at least ×10.0 in every language, while zeroing each of 5 random controls of the same size keeps it within ×1.50
      Received: it did not hold:
        ✗ zeroing 1 of 5 random controls (seeds 3–7) raised perplexity above ×1.50 in zh (×2.00, seed 5)
      Checkpoint: stub (sha256 f00dfeedbeef) at /models/stub

        region: zero the top region (k = 5%, en,zh): 4 entries in 1 weight
        language | baseline ppl | perturbed ppl | ratio | 95% interval | threshold |
        ---------|--------------|---------------|-------|--------------|-----------|--
        en       |        5.000 |         200.0 | ×40.0 |  ×40.0–×40.0 |   ≥ ×10.0 | ✓
        zh       |        8.000 |         96.00 | ×12.0 |  ×12.0–×12.0 |   ≥ ×10.0 | ✓

        controls: 5 random regions of the same size (4 entries each), seeds 3–7
        language | baseline ppl | seed 3 | seed 4 | seed 5 | seed 6 | seed 7 | threshold |
        ---------|--------------|--------|--------|--------|--------|--------|-----------|--
        en       |        5.000 |  ×1.10 |  ×1.10 |  ×1.10 |  ×1.10 |  ×1.10 |   ≤ ×1.50 | ✓
        zh       |        8.000 |  ×1.05 |  ×1.05 |  ×2.00 |  ×1.05 |  ×1.05 |   ≤ ×1.50 | ✗"
    `);
  });
});

describe('toBeDimensionSensitive', () => {
  // dim 7: ×30 and ×2 (median ×16); control dims: ×1.2 except dim 3 in zh ×1.8.
  const subject = stubSubject({
    baseline: { en: 5, zh: 8 },
    ppl: (p) => {
      const dim = p.kind === 'norm' ? p.dim : -1;
      if (dim === 7) return { en: 150, zh: 16 };
      return { en: 6, zh: dim === 3 ? 14.4 : 9.6 };
    },
  });

  test('fails when a control dim moves perplexity too much', async () => {
    const message = await failure(() =>
      expect(subject).toBeDimensionSensitive({ layer: 1, dim: 7, controlDims: [1, 3], minRatio: 10, controlMaxRatio: 1.5 }),
    );
    expect(message).toMatchInlineSnapshot(`
      "expect(subject).toBeDimensionSensitive(options)

      Expected: ×4 on model.layers.1.post_attention_layernorm.weight[7] raises perplexity by at least ×10.0 (median language), while the same on control dims 1, 3 keeps it within ×1.50
      Received: it did not hold:
        ✗ a control dim raised perplexity above ×1.50: dim 3 in zh (×1.80)
      Checkpoint: stub (sha256 f00dfeedbeef) at /models/stub

        dim 7: ×4 on model.layers.1.post_attention_layernorm.weight[7]
        language | baseline ppl | perturbed ppl | ratio | 95% interval | threshold |
        ---------|--------------|---------------|-------|--------------|-----------|--
        en       |        5.000 |         150.0 | ×30.0 |  ×30.0–×30.0 |   ≥ ×10.0 |
        zh       |        8.000 |         16.00 | ×2.00 |  ×2.00–×2.00 |   ≥ ×10.0 |
        median   |              |               | ×16.0 |  ×16.0–×16.0 |   ≥ ×10.0 | ✓

        control dims (ratio per dim), e.g. ×4 on model.layers.1.post_attention_layernorm.weight[1]
        language | baseline ppl | dim 1 | dim 3 | threshold |
        ---------|--------------|-------|-------|-----------|--
        en       |        5.000 | ×1.20 | ×1.20 |   ≤ ×1.50 | ✓
        zh       |        8.000 | ×1.20 | ×1.80 |   ≤ ×1.50 | ✗"
    `);
  });

  test('.not fails when the dim is sensitive and the controls are not', async () => {
    const message = await failure(() =>
      expect(subject).not.toBeDimensionSensitive({ layer: 1, dim: 7, controlDims: [1, 3], minRatio: 10, controlMaxRatio: 2 }),
    );
    expect(message).toMatchInlineSnapshot(`
      "expect(subject).not.toBeDimensionSensitive(options)

      Expected the finding not to hold: ×4 on model.layers.1.post_attention_layernorm.weight[7] raises perplexity by at least ×10.0 (median language), while the same on control dims 1, 3 keeps it within ×2.00
      Received: it held:
        ✓ the median ratio over 2 languages is ×16.0 (95%: ×16.0–×16.0; ≥ ×10.0)
        ✓ every control dim (1, 3) kept perplexity within ×2.00 in every language
      Checkpoint: stub (sha256 f00dfeedbeef) at /models/stub

        dim 7: ×4 on model.layers.1.post_attention_layernorm.weight[7]
        language | baseline ppl | perturbed ppl | ratio | 95% interval | threshold |
        ---------|--------------|---------------|-------|--------------|-----------|--
        en       |        5.000 |         150.0 | ×30.0 |  ×30.0–×30.0 |   ≥ ×10.0 |
        zh       |        8.000 |         16.00 | ×2.00 |  ×2.00–×2.00 |   ≥ ×10.0 |
        median   |              |               | ×16.0 |  ×16.0–×16.0 |   ≥ ×10.0 | ✓

        control dims (ratio per dim), e.g. ×4 on model.layers.1.post_attention_layernorm.weight[1]
        language | baseline ppl | dim 1 | dim 3 | threshold |
        ---------|--------------|-------|-------|-----------|--
        en       |        5.000 | ×1.20 | ×1.20 |   ≤ ×2.00 | ✓
        zh       |        8.000 | ×1.20 | ×1.80 |   ≤ ×2.00 | ✓"
    `);
  });
});

describe('toHaveMonolingualRegion', () => {
  const subject = stubSubject({ baseline: { ar: 4, en: 5, zh: 8 }, ppl: () => ({ ar: 40, en: 5.5, zh: 8.4 }) });

  test('fails when selectivity is below the threshold', async () => {
    const message = await failure(() => expect(subject).toHaveMonolingualRegion('ar', { minRatio: 2, minSelectivity: 50 }));
    expect(message).toMatchInlineSnapshot(`
      "expect(subject).toHaveMonolingualRegion("ar")

      Expected: zeroing the monolingual region of ar raises its perplexity by at least ×2.00, with selectivity (log-ratio against the median other language) at least 50
      Received: it did not hold:
        ✗ selectivity ln(×10.0) / ln(×1.08 median of 2 other languages) = 31.84 (95%: 31.84–31.84; < 50)
      Checkpoint: stub (sha256 f00dfeedbeef) at /models/stub

        region: zero the monolingual:ar region (k = 5%, en,zh): 3 entries in 1 weight
        language        | baseline ppl | perturbed ppl | ratio | 95% interval | threshold |
        ----------------|--------------|---------------|-------|--------------|-----------|--
        ar              |        4.000 |         40.00 | ×10.0 |  ×10.0–×10.0 |   ≥ ×2.00 | ✓
        en              |        5.000 |         5.500 | ×1.10 |  ×1.10–×1.10 |           |
        zh              |        8.000 |         8.400 | ×1.05 |  ×1.05–×1.05 |           |
        others (median) |              |               | ×1.08 |              |           |
        selectivity     |              |               | 31.84 |  31.84–31.84 |      ≥ 50 | ✗"
    `);
  });

  test("toHaveSelectiveLanguageNeurons measures the language's LAPE neurons instead, and says so", async () => {
    const message = await failure(() => expect(subject).toHaveSelectiveLanguageNeurons('ar', { minRatio: 2, minSelectivity: 50 }));
    expect(message).toContain('Expected: zeroing the language neurons (LAPE) of ar raises its perplexity by at least ×2.00');
    expect(message).toContain('region: zero the neurons:ar region');
    // The gradient matcher no longer takes a source: one matcher per finding.
    await expect(expect(subject).toHaveMonolingualRegion('ar', { source: 'neurons' } as never)).rejects.toThrow(/unknown option "source"/);
  });

  test('.not fails when the region is selective', async () => {
    const message = await failure(() => expect(subject).not.toHaveMonolingualRegion('ar', { minRatio: 2, minSelectivity: 3 }));
    expect(message).toMatchInlineSnapshot(`
      "expect(subject).not.toHaveMonolingualRegion("ar")

      Expected the finding not to hold: zeroing the monolingual region of ar raises its perplexity by at least ×2.00, with selectivity (log-ratio against the median other language) at least 3
      Received: it held:
        ✓ ar's perplexity rose ×10.0 (≥ ×2.00)
        ✓ selectivity ln(×10.0) / ln(×1.08 median of 2 other languages) = 31.84 (95%: 31.84–31.84; ≥ 3)
      Checkpoint: stub (sha256 f00dfeedbeef) at /models/stub

        region: zero the monolingual:ar region (k = 5%, en,zh): 3 entries in 1 weight
        language        | baseline ppl | perturbed ppl | ratio | 95% interval | threshold |
        ----------------|--------------|---------------|-------|--------------|-----------|--
        ar              |        4.000 |         40.00 | ×10.0 |  ×10.0–×10.0 |   ≥ ×2.00 | ✓
        en              |        5.000 |         5.500 | ×1.10 |  ×1.10–×1.10 |           |
        zh              |        8.000 |         8.400 | ×1.05 |  ×1.05–×1.05 |           |
        others (median) |              |               | ×1.08 |              |           |
        selectivity     |              |               | 31.84 |  31.84–31.84 |       ≥ 3 | ✓"
    `);
  });
});

describe('toRetainAfterFrozenPretrain', () => {
  // Nothing frozen: en 10 → 40 (×4), zh 100 → 10. Core frozen: en → 12, zh → 20. Control frozen: en → 30.
  const subject = stubSubject({
    baseline: { en: 10, zh: 100 },
    ppl: () => ({}),
    curves: (kind) =>
      kind === null ? stubCurve({ en: 40, zh: 10 }, false) : kind === 'top' ? stubCurve({ en: 12, zh: 20 }, true) : stubCurve({ en: 30, zh: 10 }, true),
  });
  const core = stubFrozenRegion('top', [0, 9, 18, 27]);
  const control = stubFrozenRegion('random', [1, 10, 19, 28]);

  test('fails when the new language is not learned well enough', async () => {
    const message = await failure(() =>
      expect(subject).toRetainAfterFrozenPretrain({ freeze: core, train: 'zh', retain: ['en'], steps: 50, minPrevented: 0.5, minLearningKept: 0.9, control }),
    );
    expect(message).toMatchInlineSnapshot(`
      "expect(subject).toRetainAfterFrozenPretrain(options)

      Expected: further pre-training on zh for 50 steps with the region frozen prevents at least 0.50 of en's forgetting (each language) and keeps at least 0.90 of zh's gain, and more than freezing the control
      Received: it did not hold:
        ✗ zh kept 0.70 (95%: 0.70–0.70) of its gain with freezing (< 0.90)
      Checkpoint: stub (sha256 f00dfeedbeef) at /models/stub

        retained languages after 50 steps on zh, region frozen: the top region (k = 5%, en,zh): 4 entries in 1 weight
        language | before ppl | after, nothing frozen | after, region frozen |             prevented | threshold |
        ---------|------------|-----------------------|----------------------|-----------------------|-----------|--
        en       |      10.00 |         40.00 (×4.00) |        12.00 (×1.20) | 0.87 (95%: 0.87–0.87) |    ≥ 0.50 | ✓

        trained language (its evaluation text)
        text | before ppl | after, nothing frozen | after, region frozen |         learning kept | threshold |
        -----|------------|-----------------------|----------------------|-----------------------|-----------|--
        zh   |      100.0 |        10.00 (×0.100) |       20.00 (×0.200) | 0.70 (95%: 0.70–0.70) |    ≥ 0.90 | ✗

        control frozen instead: the random region (k = 5%, en,zh): 4 entries in 1 weight
        language | after, control frozen |             prevented |      region prevented |
        ---------|-----------------------|-----------------------|-----------------------|--
        en       |         30.00 (×3.00) |                  0.21 |                  0.87 |
        mean     |                       | 0.21 (95%: 0.21–0.21) | 0.87 (95%: 0.87–0.87) | ✓"
    `);
  });

  test('.not fails when freezing prevents forgetting and keeps learning', async () => {
    const message = await failure(() =>
      expect(subject).not.toRetainAfterFrozenPretrain({ freeze: core, train: 'zh', retain: ['en'], steps: 50, minPrevented: 0.5, minLearningKept: 0.5 }),
    );
    expect(message).toMatchInlineSnapshot(`
      "expect(subject).not.toRetainAfterFrozenPretrain(options)

      Expected the finding not to hold: further pre-training on zh for 50 steps with the region frozen prevents at least 0.50 of en's forgetting (each language) and keeps at least 0.50 of zh's gain
      Received: it held:
        ✓ freezing prevented at least 0.50 of the forgetting in every retained language
        ✓ zh kept 0.70 (95%: 0.70–0.70) of its gain with freezing (≥ 0.50)
      Checkpoint: stub (sha256 f00dfeedbeef) at /models/stub

        retained languages after 50 steps on zh, region frozen: the top region (k = 5%, en,zh): 4 entries in 1 weight
        language | before ppl | after, nothing frozen | after, region frozen |             prevented | threshold |
        ---------|------------|-----------------------|----------------------|-----------------------|-----------|--
        en       |      10.00 |         40.00 (×4.00) |        12.00 (×1.20) | 0.87 (95%: 0.87–0.87) |    ≥ 0.50 | ✓

        trained language (its evaluation text)
        text | before ppl | after, nothing frozen | after, region frozen |         learning kept | threshold |
        -----|------------|-----------------------|----------------------|-----------------------|-----------|--
        zh   |      100.0 |        10.00 (×0.100) |       20.00 (×0.200) | 0.70 (95%: 0.70–0.70) |    ≥ 0.50 | ✓"
    `);
  });
});

describe('toRetainAfterFrozenPretrain with held-out text of the training domain', () => {
  // UDHR zh gets worse in every run (documentation is another domain); the held-out documentation improves.
  const subject = stubSubject(
    {
      baseline: { en: 10, zh: 100 },
      ppl: () => ({}),
      curves: (kind) =>
        kind === null ? stubCurve({ en: 40, zh: 110, heldout: 10 }, false) : stubCurve({ en: 12, zh: 105, heldout: 12 }, true),
    },
    { heldoutText: (l: string) => (l === 'zh' ? 'zh documentation' : null) },
  );
  const core = stubFrozenRegion('top', [0, 9, 18, 27]);

  test('judges the learning kept on the held-out text and reports the evaluation text beside it', async () => {
    const message = await failure(() =>
      expect(subject).not.toRetainAfterFrozenPretrain({ freeze: core, train: 'zh', retain: ['en'], steps: 50, minPrevented: 0.5, minLearningKept: 0.5 }),
    );
    expect(message).toContain("✓ zh's held-out training-domain text kept 0.89 (95%: 0.89–0.89) of its gain with freezing (≥ 0.50)");
    expect(message).toMatch(/zh \(held-out\) +\| +50\.00 \| +10\.00 \(×0\.200\) \| +12\.00 \(×0\.240\) \| +0\.89 \(95%: 0\.89–0\.89\) \| +≥ 0\.50 \| ✓/);
    expect(message).toMatch(/zh +\| +100\.0 \| +110\.0 \(×1\.10\) \| +105\.0 \(×1\.05\) \| +n\/a +\| \(reported\) \|/);
  });
});

describe('usage errors are errors, not failed findings (so .not cannot pass on them)', () => {
  const subject = stubSubject({ baseline: { en: 5 }, ppl: () => ({ en: 5 }) });

  test('a receiver that is not a subject', async () => {
    await expect(expect({}).not.toLoseCompetenceWhenZeroed(stubRegion('top', [0]))).rejects.toThrow(
      'toLoseCompetenceWhenZeroed: expect(…) must receive a RegionsSubject',
    );
  });

  test('an option of the wrong type or an unknown option names it', async () => {
    await expect(expect(subject).not.toLoseCompetenceWhenZeroed(stubRegion('top', [0]), { minRatio: -1 })).rejects.toThrow(
      'toLoseCompetenceWhenZeroed: option "minRatio": must be > 0 (got -1)',
    );
    await expect(expect(subject).not.toBeDimensionSensitive({ dim: 1, factr: 4 } as never)).rejects.toThrow('toBeDimensionSensitive: unknown option "factr"');
    await expect(expect(subject).not.toBeDimensionSensitive({ dim: -1 })).rejects.toThrow('toBeDimensionSensitive: option "dim": must be ≥ 0 (got -1)');
  });
});
