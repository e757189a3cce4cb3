import type { ImportanceMap } from '../../src/importance/types.js';

/** An importance map from plain arrays: name → [shape, values]. */
export function scoreMap(
  tensors: Record<string, [number[], ArrayLike<number>]>,
  languages = ['xx'],
  provenance: Record<string, string> = {},
): ImportanceMap {
  return {
    languages,
    provenance,
    scores: new Map(Object.entries(tensors).map(([name, [shape, values]]) => [name, { shape, data: Float32Array.from(values) }])),
  };
}

/** Flat indices where a mask is 1. */
export function ones(mask: Uint8Array): number[] {
  const out: number[] = [];
  mask.forEach((v, i) => v === 1 && out.push(i));
  return out;
}

/** Reference top-k by a full sort (score descending, ties lower index first) — independent of src/. */
export function naiveTop(scores: ArrayLike<number>, m: number): Set<number> {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return new Set(idx.slice(0, m));
}

/** Reference bottom-k: the last m of the same ranking. */
export function naiveBottom(scores: ArrayLike<number>, m: number): Set<number> {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return new Set(idx.slice(scores.length - m));
}
