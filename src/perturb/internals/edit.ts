import { PerturbationError } from '../errors.js';
import { applyOp, type Op } from '../op.js';
import type { Perturbable } from '../../model/perturbable.js';
import { unknownWeightMessage } from './names.js';

/**
 * One weight to replace: `apply` maps the weight's current values (row-major, never written) to its
 * perturbed values (a new array). Applied in order, so two perturbations of one weight compose. Computed
 * on the host in float32, so every engine gets the same bits.
 */
export interface Edit {
  name: string;
  apply(current: Float32Array): Float32Array;
}

/** The shape of weight `name`, or a {@link PerturbationError} listing the closest names. */
export function weightShape(model: Perturbable, name: string): number[] {
  const names = model.weightNames();
  if (!names.includes(name)) throw new PerturbationError(unknownWeightMessage(name, names));
  return [...model.weightShape(name)];
}

/** An edit applying `op` at the flat (row-major) `indices` (distinct) of weight `name`, leaving every other entry as is. */
export function entriesEdit(name: string, indices: readonly number[], op: Op, offset: 0 | 1 = 0): Edit {
  return {
    name,
    apply(current) {
      const next = current.slice();
      // offset 1: the op acts on the effective value 1 + x (Gemma's norm gains), stored back as a value − 1.
      const values = applyOp(Float32Array.from(indices, (i) => (offset === 0 ? current[i]! : current[i]! + offset)), op);
      indices.forEach((i, k) => (next[i] = offset === 0 ? values[k]! : values[k]! - offset));
      return next;
    },
  };
}

/** `[40, 3]`, `[7]`. */
export const formatIndex = (index: readonly number[]): string => `[${index.join(', ')}]`;

/**
 * The flat row-major position of `index` (one coordinate per axis, or already flat) in a weight of
 * `shape`, or a {@link PerturbationError} that gives the shape.
 */
export function flatIndex(name: string, shape: readonly number[], index: number | readonly number[]): number {
  const size = shape.reduce((n, d) => n * d, 1);
  if (typeof index === 'number') {
    if (index < 0 || index >= size) {
      throw new PerturbationError(`flat index ${index} is outside ${name}, whose shape is ${formatIndex(shape)} (${size} entries)`);
    }
    return index;
  }
  if (index.length !== shape.length) {
    throw new PerturbationError(
      `index ${formatIndex(index)} has ${index.length} coordinates but ${name} has shape ${formatIndex(shape)} (rank ${shape.length})`,
    );
  }
  let flat = 0;
  index.forEach((i, axis) => {
    if (i < 0 || i >= shape[axis]!) {
      throw new PerturbationError(`index ${formatIndex(index)} is outside ${name}, whose shape is ${formatIndex(shape)}`);
    }
    flat = flat * shape[axis]! + i;
  });
  return flat;
}

/** A {@link PerturbationError} unless 0 ≤ layer < numLayers. */
export function checkLayer(model: Perturbable, layer: number): void {
  const n = model.config.numLayers;
  if (layer < 0 || layer >= n) throw new PerturbationError(`layer ${layer} is outside [0, ${n}) (the model has ${n} layers)`);
}

/** A {@link PerturbationError} unless 0 ≤ dim < hidden_size. */
export function checkDim(model: Perturbable, dim: number): void {
  const d = model.config.hiddenSize;
  if (dim < 0 || dim >= d) throw new PerturbationError(`hidden dim ${dim} is outside [0, ${d}) (hidden_size ${d})`);
}
