import { z } from 'zod';
import { applyOp } from './op.js';
import { weightShape } from './internals/edit.js';
import type { PerturbationKind } from './internals/kind.js';

/**
 * Gaussian noise on a whole weight: every entry x ← x + std · ε, ε ~ N(0, 1) from a mulberry32 stream
 * seeded with `seed` (row-major order), so a seed names one exact perturbed weight on every backend.
 */
export const noiseSchema = z.strictObject({
  kind: z.literal('noise'),
  tensor: z.string().min(1),
  std: z.number().nonnegative(),
  seed: z.number().int(),
});

/** See {@link noiseSchema}. */
export type NoisePerturbation = z.infer<typeof noiseSchema>;

/** Adds seeded N(0, std²) noise to every entry of weight `tensor`. */
export function addNoise(p: { tensor: string; std: number; seed: number }): NoisePerturbation {
  return { kind: 'noise', tensor: p.tensor, std: p.std, seed: p.seed };
}

/** "+ N(0, 0.02²) seed 7 on model.layers.0.mlp.up_proj.weight". */
export const noiseKind: PerturbationKind<NoisePerturbation> = {
  describe: (p) => `+ N(0, ${p.std}²) seed ${p.seed} on ${p.tensor}`,
  edits(model, p) {
    weightShape(model, p.tensor);
    return [{ name: p.tensor, apply: (current) => applyOp(current, { type: 'noise', std: p.std, seed: p.seed }) }];
  },
};
