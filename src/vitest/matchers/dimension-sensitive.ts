import type { MatcherState } from 'vitest';
import { z } from 'zod';
import { sensitivityTargetSchema, type SensitivityTarget } from '../../dims/sensitivity.js';
import type { PerturbationInput } from '../../perturb/perturbation.js';
import { measureDimension } from '../measure/dimension.js';
import { languagesFor } from '../measure/effects.js';
import type { FindingResult } from '../measure/result.js';
import type { RegionsSubject } from '../subject.js';
import { asSubject, conclude, type MatcherOutcome } from './internals/conclude.js';
import { languagesSchema, matcherSeed, parseMatcherOptions, ratioSchema } from './internals/options.js';

const NAME = 'toBeDimensionSensitive';
const dimSchema = z.number().int('must be a whole number').nonnegative('must be ≥ 0');

const optionsSchema = z.strictObject({
  layer: dimSchema.optional(),
  dim: dimSchema.optional(),
  target: sensitivityTargetSchema.optional(),
  factor: z.number().optional(),
  perturbation: z.custom<(dim: number) => PerturbationInput>((v) => typeof v === 'function', 'must be a function (dim) => perturbation').optional(),
  languages: languagesSchema.optional(),
  minRatio: ratioSchema.optional(),
  aggregate: z.enum(['median', 'every']).optional(),
  controlDims: z.union([z.array(dimSchema).min(1), z.literal('random')]).optional(),
  controlCount: z.number().int().min(1).optional(),
  controlMaxRatio: ratioSchema.optional(),
  seed: z.number().int().nonnegative().optional(),
});

/**
 * Options of {@link toBeDimensionSensitive}; each left out comes from the subject's thresholds
 * (`dimensionSensitivity`, else the paper's defaults).
 */
export interface DimensionSensitiveOptions {
  /** Decoder layer (default 1, the paper's). */
  layer?: number;
  /** The hidden dim expected to be sensitive (default: the thresholds file's first `dims` entry). */
  dim?: number;
  /** Which single parameter at (layer, dim) is scaled (default: the post-attention RMSNorm entry). */
  target?: SensitivityTarget;
  /** The multiplier (default 4, the paper's). */
  factor?: number;
  /** Instead of target/factor: the perturbation to apply at a dim (used for the control dims too). */
  perturbation?: (dim: number) => PerturbationInput;
  languages?: string[];
  /** The perturbation at `dim` must raise perplexity at least this much (default ×10)… */
  minRatio?: number;
  /** …in the median language (default) or in every language. */
  aggregate?: 'median' | 'every';
  /** Control dims, or `random` (default): `controlCount` (default 3) seeded dims other than `dim`. */
  controlDims?: number[] | 'random';
  controlCount?: number;
  /** Each control dim may raise perplexity at most this much, in every language (default ×1.5). */
  controlMaxRatio?: number;
  /** Seed of random control dims (default: the plugin's `seed`, else 0). */
  seed?: number;
}

/**
 * `await expect(subject).toBeDimensionSensitive({ layer, dim, … })` — finding 2: one parameter ×factor at
 * (layer, dim) raises perplexity by ≥ minRatio (median or every language), and the same at each control
 * dim keeps it ≤ controlMaxRatio in every language. See measure/dimension.ts.
 */
export async function toBeDimensionSensitive(this: MatcherState, received: unknown, options?: DimensionSensitiveOptions): Promise<MatcherOutcome> {
  const subject = asSubject(received, NAME);
  return conclude(this, NAME, 'options', await measureDimensionSensitive(subject, options));
}

/** What {@link toBeDimensionSensitive} measures and checks (also `npm run findings`, without a matcher). */
export async function measureDimensionSensitive(subject: RegionsSubject, options?: DimensionSensitiveOptions): Promise<FindingResult> {
  const o = parseMatcherOptions(optionsSchema, options, NAME);
  const t = subject.thresholds.dimensionSensitivity;
  const layer = o.layer ?? t.layer;
  // Without a dim: the thresholds' first, or with dims "detected" the detector's largest dim entering the layer.
  const dim = o.dim ?? (t.dims === 'detected' ? (await subject.detectedDims(layer))[0] : t.dims?.[0]);
  if (dim === undefined) throw new TypeError(`${NAME}: option "dim": required (or list the checkpoint's sensitive dims in the thresholds file's dimensionSensitivity.dims)`);
  return measureDimension(subject, {
    layer,
    dim,
    target: o.target ?? t.target,
    factor: o.factor ?? t.factor,
    ...(o.perturbation !== undefined && { perturbation: o.perturbation }),
    languages: languagesFor(subject, o.languages, t.languages),
    minRatio: o.minRatio ?? t.minRatio,
    aggregate: o.aggregate ?? t.aggregate,
    controlDims: o.controlDims ?? t.controlDims,
    controlCount: o.controlCount ?? t.controlCount,
    controlMaxRatio: o.controlMaxRatio ?? t.controlMaxRatio,
    seed: matcherSeed(subject, o.seed),
  });
}
