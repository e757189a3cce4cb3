import { z } from 'zod';
import { mulberry32, normal } from '../util/random.js';

/**
 * What a perturbation does to each entry x it targets:
 * - `scale`: x ← factor · x (the paper's ×4);
 * - `set`: x ← value (0 silences the entry);
 * - `add`: x ← x + delta;
 * - `noise`: x ← x + std · ε, ε ~ N(0, 1) drawn from a mulberry32 stream seeded with `seed`, one draw per
 *   targeted entry in row-major order, so the same op on the same entries gives the same bits on every backend.
 */
export const opSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('scale'), factor: z.number() }),
  z.strictObject({ type: z.literal('set'), value: z.number() }),
  z.strictObject({ type: z.literal('add'), delta: z.number() }),
  z.strictObject({ type: z.literal('noise'), std: z.number().nonnegative(), seed: z.number().int() }),
]);

/** See {@link opSchema}. */
export type Op = z.infer<typeof opSchema>;

/** `n` draws of std · N(0, 1) from a mulberry32 stream seeded with `seed`. */
export function gaussianNoise(n: number, std: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = std * normal(rng);
  return out;
}

/**
 * The op applied to every value of `x` (a new array), in float32: the operands are float32 values, and
 * a float64 product or sum of two float32 values rounded to float32 is the correctly rounded float32
 * result, so these are the bits a float32 engine computes.
 */
export function applyOp(x: Float32Array, op: Op): Float32Array {
  switch (op.type) {
    case 'scale': {
      const f = Math.fround(op.factor);
      return x.map((v) => v * f);
    }
    case 'set':
      return new Float32Array(x.length).fill(op.value);
    case 'add': {
      const d = Math.fround(op.delta);
      return x.map((v) => v + d);
    }
    case 'noise': {
      const noise = gaussianNoise(x.length, op.std, op.seed);
      return x.map((v, i) => v + noise[i]!);
    }
  }
}

/** "×4", "= 0", "+ 0.5", "− 0.5", "+ N(0, 0.02²) seed 7". */
export function describeOp(op: Op): string {
  switch (op.type) {
    case 'scale':
      return `×${op.factor}`;
    case 'set':
      return `= ${op.value}`;
    case 'add':
      return op.delta < 0 ? `− ${-op.delta}` : `+ ${op.delta}`;
    case 'noise':
      return `+ N(0, ${op.std}²) seed ${op.seed}`;
  }
}
