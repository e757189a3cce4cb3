import { checkSameShape } from './internals/checks.js';
import type { Region } from './types.js';

/** How much two regions share, as entry counts and Jaccard index |a ∩ b| / |a ∪ b|. */
export interface Overlap {
  intersection: number;
  union: number;
  /** |a ∩ b| / |a ∪ b|; 1 when both are empty (two empty sets are the same set). */
  jaccard: number;
}

/** {@link Overlap} over all tensors, and per tensor. */
export interface RegionOverlap extends Overlap {
  perTensor: Map<string, Overlap>;
}

function overlap(intersection: number, union: number): Overlap {
  return { intersection, union, jaccard: union === 0 ? 1 : intersection / union };
}

/**
 * The overlap of two regions of the same model: per tensor and over all tensors together. A tensor that
 * only one region has counts as empty in the other.
 * @throws Error if a tensor has different shapes in the two regions (naming it and both shapes).
 */
export function regionOverlap(a: Region, b: Region): RegionOverlap {
  const names = [...new Set([...a.masks.keys(), ...b.masks.keys()])];
  const perTensor = new Map<string, Overlap>();
  let intersection = 0;
  let union = 0;
  for (const name of names) {
    const ma = a.masks.get(name);
    const mb = b.masks.get(name);
    if (ma !== undefined && mb !== undefined) checkSameShape(name, ma.shape, mb.shape, `region A (${a.kind})`, `region B (${b.kind})`);
    const n = (ma ?? mb)!.data.length;
    let inter = 0;
    let uni = 0;
    for (let i = 0; i < n; i++) {
      const x = ma?.data[i] === 1;
      const y = mb?.data[i] === 1;
      if (x && y) inter++;
      if (x || y) uni++;
    }
    perTensor.set(name, overlap(inter, uni));
    intersection += inter;
    union += uni;
  }
  return { ...overlap(intersection, union), perTensor };
}
