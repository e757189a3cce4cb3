/**
 * buildResults: from the records the matchers leave in task.meta.regions to results.json — findings
 * grouped per (test, matcher), the assertion shown, normalised per-language effects and curves,
 * baseline perplexity, region data by hash, and unreadable records as warnings rather than crashes.
 */
import { describe, expect, test } from 'vitest';
import { buildResults } from '../../src/report/collect.js';
import { resultsSchema } from '../../src/report/results.js';
import { BASELINE_PPL, EVIL, SAMPLE_PROVENANCE, sampleResults, sampleTests } from './helpers/sample.js';

const results = sampleResults();

describe('buildResults', () => {
  test('is valid results.json, with tests in file order and findings grouped per test and matcher', () => {
    expect(resultsSchema.parse(results)).toEqual(results);
    expect(results.tests.map((t) => `${t.file} ${t.state} ${t.assertions}`)).toEqual([
      'specs/core-region.spec.ts passed 1',
      'specs/dimensions.spec.ts passed 2',
      'specs/frozen.spec.ts passed 1',
      'specs/frozen.spec.ts failed 0',
      'specs/monolingual.spec.ts failed 2',
    ]);
    expect(results.findings.map((f) => f.key)).toEqual([
      'specs/core-region.spec.ts › core region > zeroing it destroys every language › toLoseCompetenceWhenZeroed',
      'specs/dimensions.spec.ts › dimensions > one parameter on a sensitive dim › toBeDimensionSensitive',
      'specs/frozen.spec.ts › frozen > en is retained › toRetainAfterFrozenPretrain',
      'specs/monolingual.spec.ts › monolingual regions › toHaveMonolingualRegion',
    ]);
    expect(results.summary).toEqual({
      reason: 'failed',
      tests: { total: 5, passed: 3, failed: 2, skipped: 0 },
      findings: { total: 4, passed: 3, failed: 1 },
      assertions: { total: 6, passed: 5, failed: 1 },
    });
  });

  test('shows the last failed assertion of a finding, else the first', () => {
    const monolingual = results.findings[3]!;
    expect(monolingual.passed).toBe(false);
    expect(monolingual.shown).toBe(1);
    expect(monolingual.assertions[1]!.measured.language).toBe('zh');
    expect(results.findings[1]!.shown).toBe(0);
  });

  test('normalises effects per condition, and baseline perplexity per language', () => {
    const core = results.findings[0]!.assertions[0]!;
    expect(new Set(core.effects.map((e) => `${e.condition}/${e.role}`))).toEqual(new Set(['core zeroed/region', 'random zeroed/control']));
    expect(core.effects.find((e) => e.language === EVIL && e.role === 'region')).toMatchObject({ baseline: 20.5, ratio: 95 });
    const dims = results.findings[1]!.assertions[0]!.effects;
    expect([...new Set(dims.map((e) => `${e.condition} ${e.role} ${e.dim}`))]).toEqual(['dim 17 region 17', 'dim 40 control 40', 'dim 77 control 77']);
    expect(results.perplexity).toEqual(BASELINE_PPL);
  });

  test('turns a frozen-pretrain comparison into curves relative to step 0', () => {
    const curves = results.findings[2]!.assertions[0]!.curves;
    expect(curves.filter((p) => p.step === 200).map((p) => `${p.run} ${p.language} ${p.relative.toFixed(2)}`)).toEqual([
      'nothing frozen en 1.80',
      'nothing frozen zh 0.40',
      'region frozen en 1.20',
      'region frozen zh 0.45',
    ]);
    expect(curves.filter((p) => p.step === 0).every((p) => p.relative === 1)).toBe(true);
  });

  test('prefers recorded ForgettingCurves (absolute perplexity per step) when a record has them', () => {
    const curve = (ppl: number[]) => ({ points: ppl.map((p, i) => ({ step: i * 100, perplexity: { en: { ppl: p }, zh: { ppl: 20 - i * 5 } } })) });
    const [t] = sampleTests();
    const record = { ...(t!.meta as { regions: Record<string, unknown>[] }).regions[0], finding: 'frozenPretrain', thresholds: {}, measured: { curves: { baseline: curve([5, 7, 9]), frozen: curve([5, 5.5, 6]) } } };
    const r = buildResults({ tests: [{ ...t!, meta: { regions: [record] } }], errors: [], reason: 'passed', provenance: () => SAMPLE_PROVENANCE });
    const points = r.findings[0]!.assertions[0]!.curves;
    expect(points).toHaveLength(2 * 3 * 2);
    expect(points.find((p) => p.run === 'region frozen' && p.language === 'en' && p.step === 200)).toEqual({ run: 'region frozen', language: 'en', trained: false, step: 200, relative: 1.2, ppl: 6 });
  });

  test('keeps region data once per content hash, and only where a record carried it', () => {
    const core = results.findings[0]!.assertions[0]!;
    const sha = core.regions.region!.sha256;
    expect(Object.keys(results.regionData)).toEqual([sha]);
    expect(results.regionData[sha]!.fingerprint!.sha256).toBe(sha);
    expect(results.regionData[sha]!.layout!.tensors).toHaveLength(36);
    expect(core.regions.region).not.toHaveProperty('fingerprint');
  });

  test('reports a record it cannot read as a warning on its test', () => {
    const broken = results.tests.find((t) => t.name.startsWith('broken'))!;
    expect(broken.warnings).toEqual(['task.meta.regions[0]: finding: Invalid input: expected string, received number']);
    const r = buildResults({
      tests: [{ file: 'a.spec.ts', name: 't', state: 'passed', durationMs: 1, errors: [], meta: { regions: 'nope', other: 1 } }],
      errors: [],
      reason: 'passed',
      provenance: () => SAMPLE_PROVENANCE,
    });
    expect(r.tests[0]!.warnings).toEqual(['task.meta.regions is not a list']);
    expect(r.findings).toEqual([]);
  });
});
