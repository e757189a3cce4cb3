/**
 * Hand-made inputs of the report tests: `task.meta.regions` records shaped as the matchers write them
 * (src/vitest/measure/*: FindingResult + matcher, negated, passed), for a made-up checkpoint the size of
 * the fixture model (hidden 128, 4 layers), with fixed numbers — the four findings, one failing, and a
 * language whose name is an HTML script tag.
 */
import { buildResults, type CollectedTest } from '../../../src/report/collect.js';
import { regionReportData } from '../../../src/region-data/index.js';
import type { Provenance, Results } from '../../../src/report/results.js';
import type { Region } from '../../../src/regions/types.js';
import { mulberry32 } from '../../../src/util/random.js';
import { EFFECT_COLUMNS, effectRow } from '../../../src/findings/measure/effects.js';
import { formatRatio } from '../../../src/findings/measure/format.js';

export const EVIL = '<script>alert(1)</script>';
export const HIDDEN = 128;
export const HOT_DIMS = [17, 93];
const INTERMEDIATE = 344;
const LAYERS = 4;

export const BASELINE_PPL: Record<string, number> = { en: 6.12, zh: 9.87, ar: 11.4, es: 7.03, ru: 8.55, ko: 12.9, vi: 8.1, [EVIL]: 20.5 };

/** The shapes of the fixture model's decoder-layer weights (HF [out, in]). */
export function layerShapes(layers = LAYERS): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (let l = 0; l < layers; l++) {
    for (const m of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) shapes.set(`model.layers.${l}.self_attn.${m}.weight`, [HIDDEN, HIDDEN]);
    shapes.set(`model.layers.${l}.mlp.gate_proj.weight`, [INTERMEDIATE, HIDDEN]);
    shapes.set(`model.layers.${l}.mlp.up_proj.weight`, [INTERMEDIATE, HIDDEN]);
    shapes.set(`model.layers.${l}.mlp.down_proj.weight`, [HIDDEN, INTERMEDIATE]);
    shapes.set(`model.layers.${l}.input_layernorm.weight`, [HIDDEN]);
    shapes.set(`model.layers.${l}.post_attention_layernorm.weight`, [HIDDEN]);
  }
  return shapes;
}

/**
 * A 1%-per-matrix region that lines up on {@link HOT_DIMS} (half its entries on their rows/columns, the
 * rest uniform, drawn with `seed`: another seed gives a "moved" region with the same hot dims).
 */
export function sampleRegion(options: { seed?: number; kind?: Region['kind'] } = {}): Region {
  const key = `${options.seed ?? 1} ${options.kind ?? 'top'}`;
  let region = regions.get(key);
  if (region === undefined) regions.set(key, (region = makeRegion(options)));
  return region; // shared: callers must not change it (fingerprints are memoised per Region object)
}

const regions = new Map<string, Region>();

function makeRegion(options: { seed?: number; kind?: Region['kind'] }): Region {
  const rng = mulberry32(options.seed ?? 1);
  const masks: Region['masks'] = new Map();
  const counts = new Map<string, number>();
  for (const [name, shape] of layerShapes()) {
    const [rows = 1, cols = 1] = shape;
    const data = new Uint8Array(rows * cols);
    const k = Math.max(1, Math.round(0.01 * data.length));
    const hiddenIsRow = /o_proj|down_proj|layernorm/.test(name);
    let n = 0;
    for (const [h, dim] of HOT_DIMS.entries()) {
      const length = hiddenIsRow ? cols : rows;
      for (let j = 0; j < length && n < ((h + 1) * k) / (2 * HOT_DIMS.length); j++) {
        data[hiddenIsRow ? dim * cols + j : j * cols + dim] = 1;
        n++;
      }
    }
    while (n < k) {
      const i = Math.floor(rng() * data.length);
      if (data[i] === 0) {
        data[i] = 1;
        n++;
      }
    }
    masks.set(name, { shape, data });
    counts.set(name, n);
  }
  return { kind: options.kind ?? 'top', fraction: 0.01, languages: ['ar', 'es', 'ru', 'zh', 'ko', 'vi'], masks, counts, seed: null, provenance: {} };
}

const sum = (r: Region) => [...r.counts.values()].reduce((a, b) => a + b, 0);

function summary(region: Region, extras: boolean) {
  const { fingerprint, layout } = regionReportData(region);
  return {
    kind: region.kind,
    fraction: region.fraction,
    languages: region.languages,
    entries: sum(region),
    weights: region.masks.size,
    seed: region.seed,
    sha256: fingerprint.sha256,
    description: `zero the ${region.kind} region (k = 1%, ${region.languages.join(',') || 'uniform'}): ${sum(region)} entries in ${region.masks.size} weights`,
    ...(extras && { fingerprint, layout }),
  };
}

const SUBJECT = { dir: '/models/polyglot-mini', hash: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809', label: 'polyglot-mini (sha256 1a2b3c4d5e6f)' };

function effects(ratios: Record<string, number>) {
  return Object.entries(ratios).map(([language, ratio]) => ({ language, baseline: BASELINE_PPL[language]!, perturbed: BASELINE_PPL[language]! * ratio, ratio, ci95: [ratio * 0.9, ratio * 1.1] as [number, number], baselineCi95: [BASELINE_PPL[language]! * 0.95, BASELINE_PPL[language]! * 1.05] as [number, number] }));
}

/** toLoseCompetenceWhenZeroed on the core region, against a random control. */
export function coreRecord(region = sampleRegion(), ratios?: Record<string, number>) {
  const regionEffects = effects(ratios ?? { en: 310, zh: 1250, ar: 880, es: 420, ru: 505, ko: 2100, vi: 640, [EVIL]: 95 });
  const controlEffects = effects({ en: 1.02, zh: 1.05, ar: 1.01, es: 1.03, ru: 1.02, ko: 1.04, vi: 1.02, [EVIL]: 1.08 });
  const control = sampleRegion({ seed: 99, kind: 'random' });
  return {
    finding: 'coreRegion',
    holds: true,
    claim: `zeroing the top region (${sum(region)} entries) raises perplexity by at least ×10.0 in every language, while zeroing a random control of the same size keeps it within ×1.50`,
    subject: SUBJECT,
    tables: [
      { title: 'region: zero the top region', columns: EFFECT_COLUMNS, rows: regionEffects.map((e) => effectRow(e, '≥ ×10.0', e.ratio >= 10)) },
      { title: 'control: zero the random region, seed 0', columns: EFFECT_COLUMNS, rows: controlEffects.map((e) => effectRow(e, '≤ ×1.50', e.ratio <= 1.5)) },
    ],
    failures: [],
    successes: ['zeroing the region raised perplexity by at least ×10.0 in every language (least: <script>alert(1)</script> ×95.0)', 'zeroing the random control kept perplexity within ×1.50 in every language (most: en ×1.08)'],
    thresholds: { minRatio: 10, controlMaxRatio: 1.5, control: 'random' },
    seeds: { control: 0 },
    regions: { region: summary(region, true), control: summary(control, false) },
    measured: { effects: regionEffects, controls: [{ seed: 0, effects: controlEffects }] },
    matcher: 'toLoseCompetenceWhenZeroed',
    negated: false,
    passed: true,
  };
}

function dimensionRecord(dim: number, scale: number, controlDims: number[]) {
  const target = effects({ en: 38 * scale, zh: 44 * scale, ar: 51 * scale, es: 29 * scale, ru: 33 * scale, ko: 61 * scale, vi: 40 * scale, [EVIL]: 12 * scale });
  const controls = controlDims.map((d, i) => ({ dim: d, effects: effects({ en: 1.01 + i / 100, zh: 1.03, ar: 1.02, es: 1.0, ru: 1.04, ko: 1.02, vi: 1.01, [EVIL]: 1.1 }) }));
  return {
    finding: 'dimensionSensitivity',
    holds: true,
    claim: `scale post_attention_layernorm of layer 1 at dim ${dim} by ×4 raises perplexity by at least ×10.0 (median language), while the same on control dims ${controlDims.join(', ')} keeps it within ×1.50`,
    subject: SUBJECT,
    tables: [{ title: `dim ${dim}: scale …`, columns: EFFECT_COLUMNS, rows: target.map((e) => effectRow(e, '≥ ×10.0', null)) }],
    failures: [],
    successes: ['the median ratio over 8 languages is ×39.0 (≥ ×10.0)', 'every control dim (40, 77) kept perplexity within ×1.50 in every language'],
    thresholds: { minRatio: 10, aggregate: 'median', controlMaxRatio: 1.5, factor: 4, target: { tensor: 'post_attention_layernorm' }, layer: 1 },
    seeds: { controlDims: dim },
    regions: {},
    measured: { dim, perturbation: 'scale …', effects: target, median: 39 * scale, controls },
    matcher: 'toBeDimensionSensitive',
    negated: false,
    passed: true,
  };
}

function monolingualRecord(language: string, own: number, others: number, passed: boolean) {
  const ratios = Object.fromEntries(['ar', 'zh', 'en', 'es'].map((l) => [l, l === language ? own : others]));
  const e = effects(ratios);
  const selectivity = Math.log(own) / Math.max(Math.log(others), Math.log(1.01));
  return {
    finding: 'monolingual',
    holds: passed,
    claim: `zeroing the monolingual region of ${language} raises its perplexity by at least ×1.50, with selectivity at least 3`,
    subject: SUBJECT,
    tables: [{ title: `region: zero the monolingual:${language} region`, columns: EFFECT_COLUMNS, rows: e.map((x) => effectRow(x, '', null)) }],
    failures: passed ? [] : [`selectivity ln(${formatRatio(own)}) / ln(${formatRatio(others)} median of 3 other languages) = ${selectivity.toFixed(2)} (< 3)`],
    successes: passed ? [`${language}'s perplexity rose ${formatRatio(own)} (≥ ×1.50)`] : [],
    thresholds: { fraction: 0.01, minRatio: 1.5, minSelectivity: 3 },
    seeds: {},
    regions: { region: { ...summary(sampleRegion({ seed: 5, kind: `monolingual:${language}` }), false), languages: [language] } },
    measured: { language, effects: e, othersMedian: others, selectivity },
    matcher: 'toHaveMonolingualRegion',
    negated: false,
    passed,
  };
}

function frozenRecord(region: Region) {
  return {
    finding: 'frozenPretrain',
    holds: true,
    claim: "further pre-training on zh for 200 steps with the region frozen prevents at least 0.33 of en's forgetting (each language) and keeps at least 0.50 of zh's gain",
    subject: SUBJECT,
    tables: [{ title: 'retained languages after 200 steps on zh', columns: ['language', 'before ppl', 'after, nothing frozen', 'after, region frozen', 'prevented', 'threshold', ''], rows: [['en', '6.120', '11.02 (×1.80)', '7.344 (×1.20)', '0.69', '≥ 0.33', '✓']] }],
    failures: [],
    successes: ['freezing prevented at least 0.33 of the forgetting in every retained language', 'zh kept 0.86 of its gain with freezing (≥ 0.50)'],
    thresholds: { minPrevented: 1 / 3, aggregate: 'every', minLearningKept: 0.5, maxForgetting: null, steps: 200, lr: 5e-5, batch: 8 },
    seeds: { training: 0 },
    regions: { region: summary(region, false) },
    measured: {
      comparison: { step: 200, retained: { en: { baseline: 1.8, frozen: 1.2, forgettingPrevented: 0.69 } }, trained: { language: 'zh', baseline: 2.5, frozen: 2.2, learningKept: 0.86 } },
      control: null,
      frozenEntries: 7000,
      droppedNormEntries: 10,
    },
    matcher: 'toRetainAfterFrozenPretrain',
    negated: false,
    passed: true,
  };
}

/** The tests of a made-up run, as the reporter collects them. */
export function sampleTests(region = sampleRegion()): CollectedTest[] {
  const test = (file: string, name: string, records: unknown[], state: CollectedTest['state'] = 'passed', errors: string[] = []): CollectedTest => ({
    file,
    name,
    state,
    durationMs: 1234,
    errors,
    meta: { regions: records },
  });
  return [
    test('specs/core-region.spec.ts', 'core region > zeroing it destroys every language', [coreRecord(region)]),
    test('specs/dimensions.spec.ts', 'dimensions > one parameter on a sensitive dim', [dimensionRecord(17, 1, [40, 77]), dimensionRecord(93, 0.6, [5, 40])]),
    test('specs/monolingual.spec.ts', 'monolingual regions', [monolingualRecord('ar', 14.2, 1.1, true), monolingualRecord('zh', 1.9, 1.4, false)], 'failed', [
      'Error: expect(subject).toHaveMonolingualRegion("zh")\n\nExpected: <img src=x onerror=alert(1)>',
    ]),
    test('specs/frozen.spec.ts', 'frozen > en is retained', [frozenRecord(region)]),
    test('specs/frozen.spec.ts', `broken ${EVIL}`, [{ finding: 42 }], 'failed', ['TypeError: boom']),
  ];
}

/** A fixed provenance (the reporter gathers a real one). */
export const SAMPLE_PROVENANCE: Provenance = {
  startedAt: '2025-01-31T10:00:00.000Z',
  finishedAt: '2025-01-31T10:03:20.000Z',
  wallTimeMs: 200_000,
  testTimeMs: 380_000,
  checkpoints: [SUBJECT],
  checkpointOption: '/models/polyglot-mini',
  corpus: { texts: { dir: '/work/fixtures/corpora/eval', sha256: 'c0ffee'.padEnd(64, '0'), files: 30 }, trainTexts: null },
  backend: { name: 'tensorflow', device: 'CPU (2 threads)', source: 'measured' },
  project: 'vitest-regions@0.1.0',
  packages: { vitest: '4.1.12', zod: '4.6.7', '@tensorflow/tfjs': '4.22.0' },
  node: 'v20.20.2',
  platform: 'linux x64',
  vitest: { version: '4.1.12', merged: false, shard: null },
  seeds: { seed: 7, runs: 5 },
  env: { REGIONS_CHECKPOINT: '/models/polyglot-mini' },
  ci: null,
};

/** The results of the made-up run. */
export function sampleResults(region = sampleRegion()): Results {
  return buildResults({ tests: sampleTests(region), errors: [`unhandled: ${EVIL}`], reason: 'failed', provenance: () => SAMPLE_PROVENANCE });
}
