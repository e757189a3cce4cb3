/**
 * Finding 1, declared: a core region of ~1% of the parameters whose removal wrecks every language, unlike a
 * random region of the same size. Matcher `toLoseCompetenceWhenZeroed`; measurement ./measure/zeroing.ts.
 */
import { z } from 'zod';
import { languagesFor } from './measure/effects.js';
import { median } from '../util/stats.js';
import { resolveRegion, type ControlArgument, type RegionArgument } from './measure/regions.js';
import { compareRegions, type RegionsCompared } from './measure/overlap.js';
import { measureZeroing, type ZeroingMeasured } from './measure/zeroing.js';
import type { FindingResult } from './measure/result.js';
import { assertOnSchema, fraction, perturbationFields, ratio } from './thresholds-base.js';
import { CATALOG } from './catalog.js';
import { defineFinding, type SubjectWith } from './internals/define.js';
import { holdsWord, times } from './internals/summary.js';
import { controlArgumentSchema, languagesSchema, matcherSeed, parseMatcherOptions, ratioSchema } from './internals/options.js';

/** The thresholds this finding reads from its subject. */
type Needs = { coreRegion: z.output<typeof coreRegionThresholdsSchema> };

const NAME = CATALOG.coreRegion.matcher;

/**
 * Finding 1 — zeroing the core region (top-k of summed importance, per matrix) explodes perplexity in
 * every language; zeroing a control of the same size (random, or the bottom-k) barely changes it. The
 * paper's k is 1% and its top-1% ppl rises by orders of magnitude while the random 1% moves it by a
 * few percent: we ask ×10 and allow the control ×1.5.
 */
export const coreRegionThresholdsSchema = z.strictObject({
  ...perturbationFields,
  fraction: fraction.default(0.01),
  /** Zeroing the region must raise perplexity at least this much (ratio) in every language. */
  minRatio: ratio.default(10),
  /** The control of the same size: `random` (the paper's main control) or `bottom`. */
  control: z.enum(['random', 'bottom']).default('random'),
  /** Zeroing the control may raise perplexity at most this much in every language. */
  controlMaxRatio: ratio.default(1.5),
  /** A `random` control is this many seeded regions of the same size, each held to controlMaxRatio: a distribution, not one draw. */
  controlCount: z.number().int().min(1).max(100).default(5),
  /** What the two thresholds read: each ratio (`estimate`), or its 95% bootstrap interval (`interval`: minRatio its lower end, controlMaxRatio its upper end). */
  assertOn: assertOnSchema.default('estimate'),
});

const optionsSchema = z.strictObject({
  languages: languagesSchema.optional(),
  minRatio: ratioSchema.optional(),
  control: controlArgumentSchema.optional(),
  controlMaxRatio: ratioSchema.optional(),
  seed: z.number().int().nonnegative().optional(),
  controlCount: z.number().int().min(1).max(100).optional(),
  assertOn: assertOnSchema.optional(),
});

/**
 * Options of `toLoseCompetenceWhenZeroed`; each left out comes from the subject's thresholds
 * (`coreRegion` in the thresholds file, else the paper's defaults).
 */
export interface LoseCompetenceOptions {
  /** Languages measured (default: thresholds `coreRegion.languages`, else every evaluation text). */
  languages?: string[];
  /** Zeroing the region must raise perplexity at least this much in EVERY language (default ×10). */
  minRatio?: number;
  /** Same-size control: `random` (default), `bottom`, a Region, or `none`. */
  control?: ControlArgument | 'none';
  /** Zeroing the control may raise perplexity at most this much in every language (default ×1.5). */
  controlMaxRatio?: number;
  /** Seed of the first random control; the others take the next seeds (default: the plugin's `seed`, else 0). */
  seed?: number;
  /** How many random controls (default: thresholds `coreRegion.controlCount`, else 5). */
  controlCount?: number;
  /** `interval`: minRatio reads each ratio's 95% interval's lower end, controlMaxRatio its upper end (default: thresholds `coreRegion.assertOn`, else `estimate`). */
  assertOn?: 'estimate' | 'interval';
}

/**
 * What `await expect(subject).toLoseCompetenceWhenZeroed(region, options?)` measures and checks: zeroing
 * `region` (a Region, or `{ kind: 'top', fraction: 0.01 }` for the subject's core region) raises perplexity
 * by ≥ minRatio in each language, AND zeroing a control of the same size keeps it ≤ controlMaxRatio in each.
 */
/** Zeroing's numbers; `overlap` on the Wanda case `npm run findings` reports beside the core region. */
export type CoreRegionMeasured = ZeroingMeasured & { overlap?: RegionsCompared };

export async function measureLoseCompetence(subject: SubjectWith<Needs>, region: RegionArgument, options?: LoseCompetenceOptions): Promise<FindingResult<CoreRegionMeasured>> {
  const o = parseMatcherOptions(optionsSchema, options, NAME);
  const t = subject.thresholds.coreRegion;
  const control = o.control ?? t.control;
  return measureZeroing(subject, await resolveRegion(subject, region), {
    languages: languagesFor(subject, o.languages, t.languages),
    minRatio: o.minRatio ?? t.minRatio,
    control: control === 'none' ? null : control,
    controlMaxRatio: o.controlMaxRatio ?? t.controlMaxRatio,
    seed: matcherSeed(subject, o.seed),
    controlCount: o.controlCount ?? t.controlCount,
    assertOn: o.assertOn ?? t.assertOn,
  });
}

export const coreRegion = defineFinding('coreRegion', {
  hint: (_region: RegionArgument, _options?: LoseCompetenceOptions) => 'region',
  thresholds: coreRegionThresholdsSchema,
  measure: measureLoseCompetence,
  async cases(subject, add) {
    const t = subject.thresholds.coreRegion;
    const k = `k = ${+(t.fraction * 100).toPrecision(3)}%`;
    add({ point: k, expected: t.expected, result: await measureLoseCompetence(subject, { kind: 'top', fraction: t.fraction }) });
    // Beside it, reported and not asserted: the same measurement on Wanda's top k (forward only), and its overlap with the gradient core.
    const wanda = { kind: 'top', fraction: t.fraction, source: 'wanda' } as const;
    const result = await measureLoseCompetence(subject, wanda);
    const { compared, table } = compareRegions(await subject.region(wanda), 'Wanda top k', await subject.coreRegion(t.fraction), 'gradient core region');
    add({ point: `${k}, Wanda`, expected: null, result: { ...result, tables: [...result.tables, table], measured: { ...result.measured, overlap: compared } } });
  },
  summary(cases) {
    const core = cases.find((c) => c.expected !== null);
    if (core === undefined) return null;
    const wanda = cases.find((c) => c.expected === null);
    const w = wanda?.result.measured;
    const wandaText = w?.overlap === undefined ? '' : `; Wanda's top k (|W|·‖X‖₂, forward only) raises it ${times(median(w.effects.map((e) => e.ratio)))} (Jaccard with the gradient core ${w.overlap.jaccard.toFixed(3)})`;
    const m = core.result.measured;
    const least = m.effects.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    const controlRatios = m.controls.flatMap((c) => c.effects.map((e) => e.ratio));
    const n = m.controls.length;
    const control = n === 0 ? '' : ` against ${times(median(controlRatios))} (at most ${times(Math.max(...controlRatios))}) for ${n === 1 ? 'a' : n} ${String(core.result.thresholds.control)} region${n === 1 ? '' : 's'} of the same size`;
    return `finding 1 ${holdsWord([core])} at the thresholds: zeroing the core region (${core.point}) raises perplexity ${times(median(m.effects.map((e) => e.ratio)))} in the median of ${m.effects.length} languages (least hit: ${least.language} ${times(least.ratio)})${control}${wandaText}`;
  },
});
