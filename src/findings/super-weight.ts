/**
 * Finding 2's single-parameter form, declared: the checkpoint has a super weight (Yu et al., 2024) — one
 * scalar of an early down_proj, found from one forward pass, whose zeroing wrecks every language while a
 * random weight of the same tensor does not. Matcher `toHaveSuperWeight`; measurement ./measure/super-weight.ts.
 */
import { z } from 'zod';
import { languagesFor } from './measure/effects.js';
import type { FindingResult } from './measure/result.js';
import { measureSuperWeight, type SuperWeightCoordinate, type SuperWeightMeasured } from './measure/super-weight.js';
import { perturbationFields, ratio } from './thresholds-base.js';
import { CATALOG } from './catalog.js';
import { defineFinding, type SubjectWith } from './internals/define.js';
import { languagesSchema, matcherSeed, parseMatcherOptions, ratioSchema } from './internals/options.js';
import { holdsWord, times } from './internals/summary.js';

/** The thresholds this finding reads from its subject. */
type Needs = { superWeight: z.output<typeof superWeightThresholdsSchema> };

const NAME = CATALOG.superWeight.matcher;
const index = z.number().int('must be a whole number').nonnegative('must be ≥ 0');

/**
 * Super weight — Yu et al. find it as the layer whose down_proj output spikes on one dim while its input
 * spikes on one channel, and zeroing it raises perplexity by about three orders of magnitude (Llama-7B:
 * wikitext ppl 5.68 → ~763). We ask the detector's spike ≥ ×50 the median dim (its criterion here), ×10 in
 * every language when zeroed, and at most ×1.1 for each of three random entries of the same tensor.
 */
export const superWeightThresholdsSchema = z.strictObject({
  ...perturbationFields,
  /** The coordinate known for this checkpoint (e.g. a published one); default: whatever the detector finds. */
  at: z.strictObject({ layer: index, row: index, col: index }).optional(),
  /** The detector's criterion: down_proj output max ÷ the median dim's max. */
  minSpike: ratio.default(50),
  /** Zeroing the weight must raise perplexity at least this much… */
  minRatio: ratio.default(10),
  /** …in every language (default) or the median one. */
  aggregate: z.enum(['every', 'median']).default('every'),
  /** Random entries of the same tensor zeroed as controls, one at a time. */
  controlCount: z.number().int().min(1).default(3),
  /** Each control may raise perplexity at most this much, in every language. */
  controlMaxRatio: ratio.default(1.1),
});

const optionsSchema = z.strictObject({
  at: z.strictObject({ layer: index, row: index, col: index }).optional(),
  languages: languagesSchema.optional(),
  minSpike: ratioSchema.optional(),
  minRatio: ratioSchema.optional(),
  aggregate: z.enum(['every', 'median']).optional(),
  controlCount: z.number().int().min(1, 'must be ≥ 1').optional(),
  controlMaxRatio: ratioSchema.optional(),
  seed: z.number().int().nonnegative().optional(),
});

/** Options of `toHaveSuperWeight`; each left out comes from the subject's thresholds (`superWeight`, else the defaults above). */
export interface SuperWeightOptions {
  /** Test this coordinate instead of the detector's (the detection condition is then skipped). */
  at?: SuperWeightCoordinate;
  languages?: string[];
  /** The detector's spike criterion (default ×50). */
  minSpike?: number;
  /** Zeroing the weight must raise perplexity at least this much (default ×10)… */
  minRatio?: number;
  /** …in every language (default) or the median. */
  aggregate?: 'every' | 'median';
  /** Random entries of the same tensor zeroed as controls (default 3). */
  controlCount?: number;
  /** Each control may raise perplexity at most this much (default ×1.1). */
  controlMaxRatio?: number;
  /** Seed of the control entries (default: the plugin's `seed`, else 0). */
  seed?: number;
}

/** What `await expect(subject).toHaveSuperWeight(options?)` measures and checks. */
export async function measureHasSuperWeight(subject: SubjectWith<Needs>, options?: SuperWeightOptions): Promise<FindingResult<SuperWeightMeasured>> {
  const o = parseMatcherOptions(optionsSchema, options, NAME);
  const t = subject.thresholds.superWeight;
  const at = o.at ?? t.at ?? null;
  if (at !== null && !(at.layer < subject.config.numLayers && at.row < subject.config.hiddenSize && at.col < subject.config.intermediateSize)) {
    throw new TypeError(`${NAME}: option "at": (${at.layer}, ${at.row}, ${at.col}) is outside this model's down_proj weights (${subject.config.numLayers} layers of [${subject.config.hiddenSize}, ${subject.config.intermediateSize}])`);
  }
  return measureSuperWeight(subject, {
    at,
    languages: languagesFor(subject, o.languages, t.languages),
    minSpike: o.minSpike ?? t.minSpike,
    minRatio: o.minRatio ?? t.minRatio,
    aggregate: o.aggregate ?? t.aggregate,
    controlCount: o.controlCount ?? t.controlCount,
    controlMaxRatio: o.controlMaxRatio ?? t.controlMaxRatio,
    seed: matcherSeed(subject, o.seed),
  });
}

export const superWeight = defineFinding('superWeight', {
  hint: (_options?: SuperWeightOptions) => 'options',
  thresholds: superWeightThresholdsSchema,
  measure: measureHasSuperWeight,
  async cases(subject, add) {
    add({ point: subject.thresholds.superWeight.at === undefined ? 'detected' : 'given coordinate', expected: subject.thresholds.superWeight.expected, result: await measureHasSuperWeight(subject) });
  },
  summary(cases) {
    const c = cases[0];
    if (c === undefined) return null;
    const m = c.result.measured;
    const { layer, row, col } = m.coordinate;
    const spike = Math.max(...m.spikes.map((l) => l.outputRatio));
    const controls = m.controls.flatMap((k) => k.effects.map((e) => e.ratio));
    return (
      `the super-weight finding ${holdsWord(cases)}: ${m.candidate ? 'the detector finds' : `no down_proj spike reaches ×${String(c.result.thresholds.minSpike)} (strongest ${times(spike)}); its strongest,`} ` +
      `(${layer}, ${row}, ${col}) = ${m.weight.toPrecision(3)}, zeroed, moves the median language's perplexity ${times(m.median)} (random entries of the tensor: at most ${times(Math.max(...controls))})`
    );
  },
});
