/**
 * Finding 2's activation form, declared: a massive activation (Sun et al., COLM 2024) exists, and the
 * paper's ×4 at its dim destroys competence while random dims do not. Matcher `toHaveMassiveActivation`;
 * measurement ./measure/massive.ts. The perturbation's settings (layer, target, factor, thresholds,
 * controls) are finding 2's (`dimensionSensitivity` in the thresholds file): one place for them.
 */
import { z } from 'zod';
import { languagesFor } from './measure/effects.js';
import { measureMassiveActivation, type MassiveMeasured } from './measure/massive.js';
import type { FindingResult } from './measure/result.js';
import { findingFields, ratio } from './thresholds-base.js';
import { CATALOG } from './catalog.js';
import { defineFinding, type SubjectWith } from './internals/define.js';
import type { dimensionThresholdsSchema } from './dimension-sensitive.js';
import { languagesSchema, matcherSeed, parseMatcherOptions, ratioSchema } from './internals/options.js';
import { holdsWord, times } from './internals/summary.js';

/** The thresholds this finding reads from its subject. */
type Needs = { massiveActivation: z.output<typeof massiveActivationThresholdsSchema>; dimensionSensitivity: z.output<typeof dimensionThresholdsSchema> };

const NAME = CATALOG.massiveActivation.matcher;

/**
 * Massive activations — Sun et al.'s criterion: an activation magnitude above 100 and at least 1,000× the
 * median magnitude of that layer's hidden states (LLaMA-2-7B: dims 1415 and 2533, ~2,600 on the first token).
 */
export const massiveActivationThresholdsSchema = z.strictObject({
  ...findingFields,
  /** The least magnitude. */
  minValue: z.number('must be a number').nonnegative('must be ≥ 0').default(100),
  /** The least ratio to the layer's median |h|. */
  minRatio: ratio.default(1000),
  /**
   * Sun et al.'s control, asserted: the activation set to its mean over the probe keeps the median language's
   * perplexity within ×maxMeanRatio, set to zero raises it ≥ ×minZeroRatio. Absent: both are measured and reported only.
   */
  ablation: z.strictObject({ maxMeanRatio: ratio.default(1.05), minZeroRatio: ratio }).optional(),
});

const optionsSchema = z.strictObject({
  minValue: z.number().nonnegative('must be ≥ 0').optional(),
  minRatio: ratioSchema.optional(),
  languages: languagesSchema.optional(),
  seed: z.number().int().nonnegative().optional(),
});

/** Options of `toHaveMassiveActivation`; each left out comes from the thresholds (`massiveActivation`; the perturbation: `dimensionSensitivity`). */
export interface MassiveActivationOptions {
  /** The least magnitude (default 100, Sun et al.'s). */
  minValue?: number;
  /** The least ratio to the layer's median |h| (default 1,000, Sun et al.'s). */
  minRatio?: number;
  languages?: string[];
  /** Seed of the random control dims (default: the plugin's `seed`, else 0). */
  seed?: number;
}

/** What `await expect(subject).toHaveMassiveActivation(options?)` measures and checks. */
export async function measureHasMassiveActivation(subject: SubjectWith<Needs>, options?: MassiveActivationOptions): Promise<FindingResult<MassiveMeasured>> {
  const o = parseMatcherOptions(optionsSchema, options, NAME);
  const t = subject.thresholds.massiveActivation;
  const d = subject.thresholds.dimensionSensitivity;
  return measureMassiveActivation(subject, {
    minValue: o.minValue ?? t.minValue,
    minRatio: o.minRatio ?? t.minRatio,
    ablation: t.ablation ?? null,
    dimension: {
      layer: d.layer,
      target: d.target,
      factor: d.factor,
      languages: languagesFor(subject, o.languages, d.languages),
      minRatio: d.minRatio,
      aggregate: d.aggregate,
      controlDims: d.controlDims,
      controlCount: d.controlCount,
      controlMaxRatio: d.controlMaxRatio,
      seed: matcherSeed(subject, o.seed),
    },
  });
}

export const massiveActivation = defineFinding('massiveActivation', {
  hint: (_options?: MassiveActivationOptions) => 'options',
  thresholds: massiveActivationThresholdsSchema,
  measure: measureHasMassiveActivation,
  async cases(subject, add) {
    add({ point: 'detected', expected: subject.thresholds.massiveActivation.expected, result: await measureHasMassiveActivation(subject) });
  },
  summary(cases) {
    const c = cases[0];
    if (c === undefined) return null;
    const m = c.result.measured;
    const top = m.profile.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    return `the massive-activation finding ${holdsWord(cases)}: ${m.massive.length > 0 ? `${m.massive.length} activation(s) meet Sun et al.'s criterion` : `the largest activation is ${times(top.ratio)} its layer's median (dim ${top.dim}), against ×${String(c.result.thresholds.minTopToMedian)}`}; ×4 on dim ${m.dim} moves the median language's perplexity ${times(m.median)}${m.ablation === undefined ? '' : `; its activation set to its mean ${times(m.ablation.meanMedian)}, to zero ${times(m.ablation.zeroMedian)}`}`;
  },
});
