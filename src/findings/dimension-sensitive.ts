/**
 * Finding 2, declared: dimensional dependence — one parameter ×4 on certain hidden dimensions destroys
 * competence, on others not. Matcher `toBeDimensionSensitive`; measurement ./measure/dimension.ts.
 */
import { z } from 'zod';
import { sensitivityTargetSchema, type SensitivityTarget } from '../dims/sensitivity.js';
import type { PerturbationInput } from '../perturb/perturbation.js';
import { measureDimension, type DimensionMeasured } from './measure/dimension.js';
import { languagesFor } from './measure/effects.js';
import type { FindingResult } from './measure/result.js';
import { perturbationFields, ratio } from './thresholds-base.js';
import { CATALOG } from './catalog.js';
import { defineFinding, type SubjectWith } from './internals/define.js';
import { holdsWord, times } from './internals/summary.js';
import { languagesSchema, matcherSeed, parseMatcherOptions, ratioSchema } from './internals/options.js';

/** The thresholds this finding reads from its subject. */
type Needs = { dimensionSensitivity: z.output<typeof dimensionThresholdsSchema> };

const NAME = CATALOG.dimensionSensitivity.matcher;
const dimSchema = z.number().int('must be a whole number').nonnegative('must be ≥ 0');

/**
 * Finding 2 — one parameter ×4 on a dimension the core region lines up on destroys competence, the same
 * on another dimension does not. The paper: LLaMA-2-13B layer 1, dim 2100 → zh ppl 257.7 vs 5.86 on dim
 * 4200 (≈ ×44 against the control). Which parameter is unconfirmed: `target` (default the
 * post-attention RMSNorm entry). `dims` is a property of the checkpoint: a list, or `detected` — the
 * residual stream's three largest dims entering `layer`, as the massive-activation detector finds them
 * (`regions detect massive-activations`; the subject's `detectedDims`).
 */
export const dimensionThresholdsSchema = z.strictObject({
  ...perturbationFields,
  layer: z.number().int().nonnegative().default(1),
  /** The dimensions expected to be sensitive (LLaMA-2-7B: 1415, 2533; 13B: 2100, 4743); default `detected`, which any checkpoint has. */
  dims: z.union([z.array(z.number().int().nonnegative()).min(1), z.literal('detected')]).default('detected'),
  target: sensitivityTargetSchema.default({ tensor: 'post_attention_layernorm' }),
  factor: z.number().default(4),
  /** The perturbation at the dim must raise perplexity at least this much… */
  minRatio: ratio.default(10),
  /** …in `aggregate` of the languages: the median (default; robust to one odd language) or every one. */
  aggregate: z.enum(['median', 'every']).default('median'),
  /** The same perturbation at each control dim may raise it at most this much, in every language. */
  controlMaxRatio: ratio.default(1.5),
  /** Control dims, or `random`: `controlCount` dims drawn (seeded) from the others. */
  controlDims: z.union([z.array(z.number().int().nonnegative()).min(1), z.literal('random')]).default('random'),
  controlCount: z.number().int().min(1).default(3),
});

/** The dims a checkpoint's thresholds name for finding 2 (`detected`: the detector's, entering the layer). */
export async function thresholdDims(subject: SubjectWith<Needs>): Promise<number[]> {
  const t = subject.thresholds.dimensionSensitivity;
  return t.dims === 'detected' ? subject.detectedDims(t.layer) : (t.dims ?? []);
}

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
 * What `await expect(subject).toBeDimensionSensitive({ layer, dim, … })` measures and checks: one parameter
 * ×factor at (layer, dim) raises perplexity by ≥ minRatio (median or every language), and the same at each
 * control dim keeps it ≤ controlMaxRatio in every language.
 */
export async function measureDimensionSensitive(subject: SubjectWith<Needs>, options?: DimensionSensitiveOptions): Promise<FindingResult<DimensionMeasured>> {
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

export const dimensionSensitivity = defineFinding('dimensionSensitivity', {
  hint: (_options?: DimensionSensitiveOptions) => 'options',
  thresholds: dimensionThresholdsSchema,
  measure: measureDimensionSensitive,
  async cases(subject, add) {
    const t = subject.thresholds.dimensionSensitivity;
    for (const dim of await thresholdDims(subject)) add({ point: `layer ${t.layer}, dim ${dim}`, expected: t.expected, result: await measureDimensionSensitive(subject, { dim }) });
  },
  summary(cases) {
    if (cases.length === 0) return null;
    const text = cases.map((c) => `dim ${c.result.measured.dim} ${times(c.result.measured.median)}`);
    const controls = cases.flatMap((c) => c.result.measured.controls.flatMap((k) => k.effects.map((e) => e.ratio)));
    return `finding 2 ${holdsWord(cases)}: ×${String(cases[0]!.result.thresholds.factor)} on one norm entry of layer ${String(cases[0]!.result.thresholds.layer)} moves the median language's perplexity ${text.join(', ')} (random control dims: at most ${times(Math.max(...controls))})`;
  },
});
