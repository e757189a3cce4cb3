import { z } from 'zod';
import type { LlamaModel } from '../engine/tfjs/model.js';
import { LAYER_NORMS, matrixName, RESIDUAL_READERS, RESIDUAL_WRITERS } from '../perturb/hidden-axis.js';
import { perturbNorm } from '../perturb/norm.js';
import { scaleParameter } from '../perturb/parameter.js';
import { describe, type Perturbation } from '../perturb/perturbation.js';
import { assertApplicable, withPerturbation } from '../perturb/with-perturbation.js';
import { parseOptions } from '../util/parse-options.js';

/**
 * Which single parameter at (layer, dim) the experiment scales — the paper does not say (*unconfirmed*):
 * - a norm weight entry: `model.layers.{layer}.{norm}.weight[dim]`;
 * - a residual writer's row entry: `o_proj/down_proj.weight[dim, column]`;
 * - a residual reader's column entry: `q/k/v/gate/up_proj.weight[row, dim]`.
 */
export const sensitivityTargetSchema = z.union([
  z.strictObject({ tensor: z.enum(LAYER_NORMS) }),
  z.strictObject({ tensor: z.enum(RESIDUAL_WRITERS), column: z.number().int().nonnegative() }),
  z.strictObject({ tensor: z.enum(RESIDUAL_READERS), row: z.number().int().nonnegative() }),
]);

export type SensitivityTarget = z.infer<typeof sensitivityTargetSchema>;

/** Settings of {@link dimensionSensitivity}. */
export const sensitivityOptionsSchema = z.strictObject({
  /** The decoder layer (the paper: layer 1). */
  layer: z.number().int().nonnegative(),
  /** Hidden dims to perturb one at a time (the paper: 2100, and 4200 as a control, on LLaMA-2-13B). */
  dims: z.array(z.number().int().nonnegative()).min(1),
  /**
   * Where the parameter sits; default `post_attention_layernorm` — the norm that feeds layer 1's MLP, where
   * LLaMA-2's massive activations are written (Sun et al.). Unconfirmed in the paper: a setting.
   */
  target: sensitivityTargetSchema.default({ tensor: 'post_attention_layernorm' }),
  /** The multiplier (the paper: 4). */
  factor: z.number().default(4),
});

export type SensitivityOptions = z.input<typeof sensitivityOptionsSchema>;

/** The effect of perturbing one dim. */
export interface DimensionEffect {
  dim: number;
  perturbation: Perturbation;
  /** describe(perturbation), e.g. "×4 on model.layers.1.post_attention_layernorm.weight[2100]". */
  description: string;
  /** evaluate(model) with the perturbation applied. */
  value: number;
  /** value / baseline. */
  ratio: number;
}

/** Result of {@link dimensionSensitivity}. */
export interface DimensionSensitivity {
  layer: number;
  factor: number;
  target: SensitivityTarget;
  /** evaluate(model) unperturbed. */
  baseline: number;
  /** One per dim, in the order asked. */
  effects: DimensionEffect[];
}

/** The single-parameter perturbation {@link dimensionSensitivity} applies at (layer, dim). */
export function sensitivityPerturbation(layer: number, dim: number, target: SensitivityTarget, factor: number): Perturbation {
  if ('column' in target) return scaleParameter({ tensor: matrixName(layer, target.tensor), index: [dim, target.column], factor });
  if ('row' in target) return scaleParameter({ tensor: matrixName(layer, target.tensor), index: [target.row, dim], factor });
  return perturbNorm({ norm: target.tensor, layer, dim, op: { type: 'scale', factor } });
}

/**
 * The authors' dimensional-dependence experiment: for each dim, multiply ONE parameter at (layer, dim) by
 * `factor` (×4), measure `evaluate(model)` (e.g. a language's perplexity), and restore; plus the
 * unperturbed baseline. The model ends bit-for-bit as it started, even if `evaluate` throws.
 * @throws PerturbationError for a layer, dim, row or column outside the model.
 */
export async function dimensionSensitivity(
  model: LlamaModel,
  evaluate: (model: LlamaModel) => Promise<number> | number,
  options: SensitivityOptions,
): Promise<DimensionSensitivity> {
  const { layer, dims, target, factor } = parseOptions(sensitivityOptionsSchema, options, 'dimensionSensitivity');
  const perturbations = dims.map((dim) => sensitivityPerturbation(layer, dim, target, factor));
  assertApplicable(model, perturbations);
  const baseline = await evaluate(model);
  const effects: DimensionEffect[] = [];
  for (const [i, dim] of dims.entries()) {
    const perturbation = perturbations[i]!;
    const value = await withPerturbation(model, perturbation, evaluate);
    effects.push({ dim, perturbation, description: describe(perturbation), value, ratio: value / baseline });
  }
  return { layer, factor, target, baseline, effects };
}
