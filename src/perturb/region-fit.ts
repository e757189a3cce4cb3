import type { Region } from '../regions/types.js';
import { PerturbationError } from './errors.js';
import { unknownWeightMessage } from './internals/names.js';

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Checks that every mask of `region` names a weight of `shapes` (HF name → shape), has that weight's
 * shape, and holds one byte per entry. A region selected on a model of another size fails here, naming
 * the first weight that does not fit.
 * @throws PerturbationError naming the weight, both shapes, or the closest names.
 */
export function assertRegionFits(region: Pick<Region, 'kind' | 'masks'>, shapes: ReadonlyMap<string, readonly number[]>): void {
  for (const [name, mask] of region.masks) {
    const shape = shapes.get(name);
    if (shape === undefined) throw new PerturbationError(`the ${region.kind} region has a mask for a weight the model lacks: ${unknownWeightMessage(name, shapes.keys())}`);
    if (mask.shape.join() !== shape.join()) {
      throw new PerturbationError(
        `the ${region.kind} region's mask for ${name} has shape ${fmt(mask.shape)} but the model's weight has ${fmt(shape)}: ` +
          'the region was selected on a model of another shape',
      );
    }
    const size = shape.reduce((n, d) => n * d, 1);
    if (mask.data.length !== size) {
      throw new PerturbationError(`the ${region.kind} region's mask for ${name} holds ${mask.data.length} entries, but shape ${fmt(shape)} has ${size}`);
    }
  }
}
