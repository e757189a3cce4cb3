import { z } from 'zod';
import { checkDim, checkLayer, entriesEdit, weightShape } from './internals/edit.js';
import type { PerturbationKind } from './internals/kind.js';
import { hiddenAxis, LAYER_MATRICES, matrixName, RESIDUAL_WRITERS, type LayerMatrix } from './hidden-axis.js';
import { describeOp, opSchema, type Op } from './op.js';

/**
 * A whole hidden dimension of one decoder layer: `op` on every entry of that dimension in each listed
 * matrix — ROW `dim` of o_proj/down_proj ([d, ·], they write to the residual stream), COLUMN `dim` of
 * q/k/v/gate/up_proj ([·, d], they read it). Biases and norm weights are left alone (use a `norm`
 * or `parameter` perturbation for those).
 */
export const dimensionSchema = z.strictObject({
  kind: z.literal('dimension'),
  layer: z.number().int(),
  dim: z.number().int(),
  /** Which matrices of the layer; default the residual writers o_proj and down_proj, as in the authors' figures. */
  tensors: z.array(z.enum(LAYER_MATRICES)).min(1).default([...RESIDUAL_WRITERS]),
  op: opSchema,
});

/** See {@link dimensionSchema}. */
export type DimensionPerturbation = z.output<typeof dimensionSchema>;

/** `op` on hidden dimension `dim` of layer `layer` in `tensors` (default: o_proj and down_proj rows). */
export function perturbDimension(p: { layer: number; dim: number; tensors?: LayerMatrix[]; op: Op }): DimensionPerturbation {
  return { kind: 'dimension', layer: p.layer, dim: p.dim, tensors: p.tensors ?? [...RESIDUAL_WRITERS], op: p.op };
}

/** Flat row-major indices of row `row` of an [rows, cols] matrix. */
const rowIndices = (row: number, [, cols]: number[]): number[] => Array.from({ length: cols! }, (_, j) => row * cols! + j);
/** Flat row-major indices of column `col` of an [rows, cols] matrix. */
const colIndices = (col: number, [rows, cols]: number[]): number[] => Array.from({ length: rows! }, (_, i) => i * cols! + col);

/** "×4 on layer 1 hidden dim 2100 (o_proj, down_proj)". */
export const dimensionKind: PerturbationKind<DimensionPerturbation> = {
  describe: (p) => `${describeOp(p.op)} on layer ${p.layer} hidden dim ${p.dim} (${p.tensors.join(', ')})`,
  edits(model, p) {
    checkLayer(model, p.layer);
    checkDim(model, p.dim);
    return [...new Set(p.tensors)].map((matrix) => {
      const name = matrixName(p.layer, matrix);
      const shape = weightShape(model, name);
      const indices = hiddenAxis(name)!.axis === 0 ? rowIndices(p.dim, shape) : colIndices(p.dim, shape);
      return entriesEdit(name, indices, p.op);
    });
  },
};
