import { z } from 'zod';
import { entriesEdit, flatIndex, formatIndex, weightShape } from './internals/edit.js';
import type { PerturbationKind } from './internals/kind.js';
import { describeOp, opSchema, type Op } from './op.js';

const coordinate = z.number().int();

/**
 * One parameter of one weight, addressed by its HF name and either one coordinate per axis
 * (`[row, col]` for a matrix, `[i]` for a vector) or a flat row-major index.
 */
export const parameterSchema = z.strictObject({
  kind: z.literal('parameter'),
  tensor: z.string().min(1),
  index: z.union([coordinate, z.array(coordinate).min(1)]),
  op: opSchema,
});

/** See {@link parameterSchema}. */
export type ParameterPerturbation = z.infer<typeof parameterSchema>;

/** Where a single-parameter perturbation acts. */
export interface ParameterAddress {
  /** HF weight name, e.g. `model.layers.1.mlp.down_proj.weight`. */
  tensor: string;
  /** `[row, col]`, `[i]`, or a flat row-major index. */
  index: number | number[];
}

/** `op` on one parameter. */
export function perturbParameter(at: ParameterAddress & { op: Op }): ParameterPerturbation {
  return { kind: 'parameter', tensor: at.tensor, index: at.index, op: at.op };
}

/** Multiplies one parameter by `factor` (the paper's ×4 at layer 1, dim 2100). */
export function scaleParameter(at: ParameterAddress & { factor: number }): ParameterPerturbation {
  return perturbParameter({ ...at, op: { type: 'scale', factor: at.factor } });
}

/** Sets one parameter to `value`. */
export function setParameter(at: ParameterAddress & { value: number }): ParameterPerturbation {
  return perturbParameter({ ...at, op: { type: 'set', value: at.value } });
}

/** Adds `delta` to one parameter. */
export function addToParameter(at: ParameterAddress & { delta: number }): ParameterPerturbation {
  return perturbParameter({ ...at, op: { type: 'add', delta: at.delta } });
}

/** "×4 on model.layers.1.mlp.down_proj.weight[2100, 17]". */
export const parameterKind: PerturbationKind<ParameterPerturbation> = {
  describe: (p) => `${describeOp(p.op)} on ${p.tensor}${typeof p.index === 'number' ? `[${p.index}]` : formatIndex(p.index)}`,
  edits(model, p) {
    const shape = weightShape(model, p.tensor);
    return [entriesEdit(p.tensor, [flatIndex(p.tensor, shape, p.index)], p.op)];
  },
};
