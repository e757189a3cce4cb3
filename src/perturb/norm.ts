import { z } from 'zod';
import { FINAL_NORM } from '../checkpoint/names.js';
import { PerturbationError } from './errors.js';
import { checkDim, checkLayer, entriesEdit, weightShape } from './internals/edit.js';
import type { PerturbationKind } from './internals/kind.js';
import { LAYER_NORMS, normName, type LayerNorm } from './hidden-axis.js';
import { describeOp, opSchema, type Op } from './op.js';

/**
 * One entry of an RMSNorm weight: hidden dimension `dim` of one of a layer's norms (`input_layernorm`,
 * `post_attention_layernorm`, and Gemma's and OLMo-2's `pre_feedforward_layernorm` / `post_feedforward_layernorm`
 * where the family has them; give `layer`), or of the final `model.norm` (no `layer`). Scaling it scales that
 * dimension of everything the norm feeds — one candidate reading of the paper's single-parameter perturbation.
 *
 * The op acts on the norm's effective gain: Gemma stores w of (1 + w), so ×4 there makes the gain 4(1 + w),
 * stored as 4(1 + w) − 1, and "= 0" silences the dimension (stored −1). Other perturbations (zeroing a region,
 * `parameter`) act on the stored value, as the importance |θ ⊙ ∇L| ranks it.
 */
export const normSchema = z
  .strictObject({
    kind: z.literal('norm'),
    norm: z.enum([...LAYER_NORMS, 'model.norm']),
    layer: z.number().int().optional(),
    dim: z.number().int(),
    op: opSchema,
  })
  .refine((p) => (p.norm === 'model.norm') === (p.layer === undefined), {
    message: `give layer for a layer's norm (${LAYER_NORMS.join(', ')}), and none for model.norm`,
    path: ['layer'],
  });

/** See {@link normSchema}. */
export type NormPerturbation = z.infer<typeof normSchema>;

/** `op` on entry `dim` of a layer's norm weight, or of `model.norm` (then leave `layer` out). */
export function perturbNorm(p: { norm: LayerNorm | 'model.norm'; layer?: number; dim: number; op: Op }): NormPerturbation {
  return { kind: 'norm', norm: p.norm, ...(p.layer !== undefined && { layer: p.layer }), dim: p.dim, op: p.op };
}

function tensorName(p: NormPerturbation): string {
  return p.norm === 'model.norm' ? FINAL_NORM : normName(p.layer!, p.norm);
}

/** "×4 on model.layers.1.post_attention_layernorm.weight[2100]". */
export const normKind: PerturbationKind<NormPerturbation> = {
  describe: (p) => `${describeOp(p.op)} on ${tensorName(p)}[${p.dim}]`,
  edits(model, p) {
    if (p.norm !== 'model.norm') {
      if (p.layer === undefined) throw new PerturbationError(`${p.norm} needs a layer`);
      checkLayer(model, p.layer);
    }
    checkDim(model, p.dim);
    const name = tensorName(p);
    weightShape(model, name);
    return [entriesEdit(name, [p.dim], p.op, model.config.block.normOffset)];
  },
};
