/**
 * The reader against the writer: the real region matchers (src/vitest) run on the stub subject of the
 * matcher tests (test/vitest/helpers), inside a test, and the records they leave in task.meta.regions go
 * through buildResults. Every record must be read (no warnings) into the numbers the report draws.
 */
import { describe, expect, test } from 'vitest';
import { buildResults } from '../../src/report/collect.js';
import type { Perturbation } from '../../src/perturb/perturbation.js';
import '../../src/vitest/fixtures.js';
import { stubCurve, stubFrozenRegion, stubRegion, stubSubject } from '../vitest/helpers/stub-subject.js';
import { SAMPLE_PROVENANCE } from './helpers/sample.js';

const kindOf = (p: Perturbation) => (p.kind === 'zero-region' ? p.region.kind : p.kind);

describe('records written by the matchers', () => {
  test('are read into findings with effects, curves and baseline perplexity', async ({ task }) => {
    const zeroing = stubSubject({ baseline: { en: 5, zh: 8 }, ppl: (p) => (kindOf(p) === 'top' ? { en: 200, zh: 96 } : { en: 5.5, zh: 6 }) });
    await expect(zeroing).toLoseCompetenceWhenZeroed(stubRegion('top', [0, 9, 18, 27]), { minRatio: 10, controlMaxRatio: 1.5, seed: 3, controlCount: 2 });
    const dims = stubSubject({ baseline: { en: 5, zh: 8 }, ppl: () => ({ en: 5.2, zh: 8.1 }) }); // no dim matters: .not holds
    await expect(dims).not.toBeDimensionSensitive({ layer: 1, dim: 7, controlDims: [1, 3], minRatio: 10, controlMaxRatio: 1.5 });
    const mono = stubSubject({ baseline: { ar: 4, en: 5, zh: 8 }, ppl: () => ({ ar: 40, en: 5.5, zh: 8.4 }) });
    await expect(mono).toHaveMonolingualRegion('ar', { minRatio: 2, minSelectivity: 3 });
    const frozen = stubSubject({
      baseline: { en: 10, zh: 100 },
      ppl: () => ({}),
      curves: (kind) => (kind === null ? stubCurve({ en: 40, zh: 10 }, false) : stubCurve({ en: 12, zh: 12 }, true)),
    });
    await expect(frozen).toRetainAfterFrozenPretrain({ freeze: stubFrozenRegion('top', [0, 9, 18, 27]), train: 'zh', retain: ['en'], steps: 50, minPrevented: 0.5, minLearningKept: 0.5 });

    const results = buildResults({
      tests: [{ file: 'specs/x.spec.ts', name: 'x', state: 'passed', durationMs: 1, errors: [], meta: JSON.parse(JSON.stringify(task.meta)) }],
      errors: [],
      reason: 'passed',
      provenance: () => SAMPLE_PROVENANCE,
    });
    expect(results.tests[0]!.warnings).toEqual([]);
    expect(results.findings.map((f) => `${f.finding} ${f.matcher} ${f.passed}`)).toEqual([
      'coreRegion toLoseCompetenceWhenZeroed true',
      'dimensionSensitivity toBeDimensionSensitive true',
      'monolingual toHaveMonolingualRegion true',
      'frozenPretrain toRetainAfterFrozenPretrain true',
    ]);
    const [core, dim, monolingual, retain] = results.findings.map((f) => f.assertions[0]!);
    // Two random controls: one condition, each effect with its control's seed.
    expect(core!.effects.map((e) => `${e.condition} ${e.language} ${e.ratio} ${e.seed ?? '-'}`)).toEqual([
      'core zeroed en 40 -',
      'core zeroed zh 12 -',
      'random zeroed en 1.1 3',
      'random zeroed zh 0.75 3',
      'random zeroed en 1.1 4',
      'random zeroed zh 0.75 4',
    ]);
    expect(dim!.negated).toBe(true);
    expect(new Set(dim!.effects.map((e) => `${e.role} ${e.dim}`))).toEqual(new Set(['region 7', 'control 1', 'control 3']));
    expect(monolingual!.measured.language).toBe('ar');
    expect(monolingual!.effects.map((e) => e.language)).toEqual(['ar', 'en', 'zh']);
    expect(retain!.curves.filter((p) => p.step === 50).map((p) => `${p.run} ${p.language} ${p.relative.toFixed(2)}`)).toEqual([
      'nothing frozen en 4.00',
      'nothing frozen zh 0.10',
      'region frozen en 1.20',
      'region frozen zh 0.12',
    ]);
    expect(results.perplexity).toEqual({ en: 5, zh: 8, ar: 4 });
  });
});
