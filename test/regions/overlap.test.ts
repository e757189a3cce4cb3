import { describe, expect, it } from 'vitest';
import { regionOverlap } from '../../src/regions/overlap.js';
import { selectRegion } from '../../src/regions/select.js';
import { scoreMap } from './helpers.js';

const A = 'model.layers.0.self_attn.q_proj.weight';
const B = 'model.layers.0.mlp.up_proj.weight';
const map = scoreMap({ [A]: [[10], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]], [B]: [[4], [1, 2, 3, 4]] });

describe('regionOverlap', () => {
  it('is 1 for a region with itself and 0 for disjoint regions', () => {
    const top = selectRegion(map, { kind: 'top', fraction: 0.5 });
    const bottom = selectRegion(map, { kind: 'bottom', fraction: 0.5 });
    expect(regionOverlap(top, top)).toMatchObject({ jaccard: 1, intersection: 7, union: 7 });
    expect(regionOverlap(top, bottom)).toMatchObject({ jaccard: 0, intersection: 0, union: 14 });
  });

  it('is |a ∩ b| / |a ∪ b| per tensor and over all tensors', () => {
    const a = selectRegion(map, { kind: 'top', fraction: 0.3 }); // A: {0,1,2}, B: {3}
    const b = selectRegion(map, { kind: 'top', fraction: 0.5 }); // A: {0..4}, B: {2,3}
    const o = regionOverlap(a, b);
    expect(o.perTensor.get(A)).toEqual({ intersection: 3, union: 5, jaccard: 0.6 });
    expect(o.perTensor.get(B)).toEqual({ intersection: 1, union: 2, jaccard: 0.5 });
    expect(o).toMatchObject({ intersection: 4, union: 7, jaccard: 4 / 7 });
  });

  it('counts a tensor only one region has as empty in the other, and two empty masks as equal', () => {
    const onlyA = selectRegion(map, { kind: 'top', fraction: 0.5, include: [A] });
    const both = selectRegion(map, { kind: 'top', fraction: 0.5 });
    expect(regionOverlap(onlyA, both).perTensor.get(B)).toEqual({ intersection: 0, union: 2, jaccard: 0 });
    const empty = selectRegion(map, { kind: 'top', fraction: 0.01 });
    expect(regionOverlap(empty, empty).jaccard).toBe(1);
  });

  it('refuses regions of different shapes, naming the tensor and both shapes', () => {
    const other = selectRegion(scoreMap({ [A]: [[2, 5], new Array(10).fill(1)] }), { kind: 'top', fraction: 0.5 });
    expect(() => regionOverlap(selectRegion(map, { kind: 'top', fraction: 0.5 }), other)).toThrow(
      `${A} has shape [10] in region A (top) but [2, 5] in region B (top)`,
    );
  });
});
