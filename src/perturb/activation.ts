import { z } from 'zod';
import { PerturbationError } from './errors.js';
import type { PerturbationKind } from './internals/kind.js';
import { checkEdits, POSITIONS_IN_WORDS, residualSiteName } from '../model/residual-edit.js';

/**
 * An activation, not a weight: hidden dim `dim` of the residual stream after layer `layer` (−1: the embedding
 * output, i: decoder layer i's output) set to `value` at `positions` of every window — 'first' (the BOS, where
 * massive activations sit), 'rest' or 'all'. Applied inside every forward pass of the perturbed view; no weight
 * changes. With `value` the dim's mean over a probe text it is mean-ablation, Sun et al.'s control for massive
 * activations (../dims/mean-ablation.ts computes it); with 0 it is zero-ablation.
 */
export const activationSchema = z.strictObject({
  kind: z.literal('activation'),
  layer: z.number().int().min(-1),
  dim: z.number().int().min(0),
  positions: z.enum(['first', 'rest', 'all']).default('all'),
  value: z.number().refine(Number.isFinite, 'must be a finite number'),
});

/** See {@link activationSchema}. */
export type ActivationPerturbation = z.output<typeof activationSchema>;

/** Hidden dim `dim` after layer `layer` set to `value` at `positions` (default every position). */
export function setActivation(p: { layer: number; dim: number; positions?: ActivationPerturbation['positions']; value: number }): ActivationPerturbation {
  return { kind: 'activation', layer: p.layer, dim: p.dim, positions: p.positions ?? 'all', value: p.value };
}


/** "activation dim 118 after layer 0 set to 38.2 at the first position". */
export const activationKind: PerturbationKind<ActivationPerturbation> = {
  describe: (p) => `activation dim ${p.dim} after ${residualSiteName(p.layer)} set to ${+p.value.toPrecision(4)} at ${POSITIONS_IN_WORDS[p.positions]}`,
  edits: () => [],
  residual(model, p) {
    const edit = { layer: p.layer, dim: p.dim, positions: p.positions, value: p.value };
    try {
      checkEdits(model.config, [edit]);
    } catch (err) {
      throw new PerturbationError((err as Error).message.replace(/^residual edit: /, ''));
    }
    return [edit];
  },
};
