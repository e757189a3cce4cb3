import { layerOf } from '../checkpoint/names.js';
import { createHash } from 'node:crypto';
import { mulberry32 } from '../util/random.js';
import { checkFraction } from './internals/checks.js';
import { bottomMask, randomMask, topMask } from './rank.js';
import type { Region } from './types.js';
import type { ImportanceMap } from '../importance/types.js';

/** Which tensors a region is chosen in: a predicate on the HF name, or an explicit list of names. */
export type TensorFilter = ((name: string) => boolean) | readonly string[];

/**
 * The paper's default: every tensor inside the transformer layers (`model.layers.<i>.*`: the attention and MLP
 * projections — a fused qkv_proj or gate_up_proj is one matrix, so its top-k is taken over q, k and v (gate and
 * up) together — their biases where the architecture has them, q/k norms, and the layer's norms). The token
 * embedding, the final norm and the LM head are left out.
 */
export function inTransformerLayers(name: string): boolean {
  return layerOf(name) !== null;
}

/** Settings of {@link selectRegion}. */
export interface SelectOptions {
  /** `top`: the k most important entries of each tensor (the core region); `bottom`: the k least; `random`: k uniformly. */
  kind: 'top' | 'bottom' | 'random';
  /** k, the fraction of each tensor, in (0, 1); the paper uses 0.01 (and 0.05 in some figures). */
  fraction: number;
  /** Seed of a random region: an integer in [0, 2³²) (default 0). Each tensor draws from its own generator, seeded by (seed, name). */
  seed?: number;
  /** Tensors to select in (default {@link inTransformerLayers}). */
  include?: TensorFilter;
}

/**
 * Entries a region takes from a tensor of `size` entries: floor(k · size). The product is first rounded
 * to 6 decimals so that binary rounding does not lose one (0.29 × 100 is 28.999999999999996 in floats; this gives 29).
 */
export function entriesPerTensor(fraction: number, size: number): number {
  return Math.floor(Math.round(fraction * size * 1e6) / 1e6);
}

/**
 * The names a filter keeps, in the map's order.
 * @throws Error if a listed name is not in the map, or nothing is kept.
 */
function filterTensors(scores: ReadonlyMap<string, unknown>, include: TensorFilter = inTransformerLayers): string[] {
  let names: string[];
  if (typeof include === 'function') {
    names = [...scores.keys()].filter((n) => include(n));
  } else {
    const missing = include.filter((n) => !scores.has(n));
    if (missing.length > 0) {
      throw new Error(`no importance for tensor(s) ${missing.join(', ')} (the map has ${[...scores.keys()].join(', ')})`);
    }
    names = [...scores.keys()].filter((n) => include.includes(n));
  }
  if (names.length === 0) throw new Error(`no tensor to select in: the filter keeps none of ${[...scores.keys()].join(', ')}`);
  return names;
}

/** The seed of one tensor's draw in a random region: every random region (selectRegion's, a matcher's control) draws tensor by tensor from it. */
export function tensorSeed(seed: number, name: string): number {
  return createHash('sha256').update(`${seed}\0${name}`).digest().readUInt32LE(0);
}

/**
 * A region chosen per weight matrix, as the paper does: for each included tensor of n entries, exactly
 * floor(k·n) entries (see {@link entriesPerTensor}). `top` takes the highest scores and `bottom` the
 * lowest of one ranking (score descending, ties to the lower flat index first, like a stable sort): top
 * keeps the lower indices of a tie, bottom the higher ones, so the two are disjoint whenever 2k ≤ 1.
 * `random` ignores the scores and draws exactly floor(k·n) entries uniformly, reproducibly from `seed`.
 * @throws Error if k is not in (0, 1), the seed is not an integer in [0, 2³²), a listed tensor is
 *   missing, or a score is NaN (naming the tensor and the index).
 */
export function selectRegion(importance: ImportanceMap, options: SelectOptions): Region {
  const { kind, fraction } = options;
  checkFraction(fraction, `${kind} region`);
  if (!['top', 'bottom', 'random'].includes(kind)) throw new Error(`region kind must be top, bottom or random (got ${String(kind)})`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`region seed must be an integer in [0, 2^32) (got ${seed})`);
  const masks: Region['masks'] = new Map();
  const counts = new Map<string, number>();
  for (const name of filterTensors(importance.scores, options.include)) {
    const { shape, data } = importance.scores.get(name)!;
    const m = entriesPerTensor(fraction, data.length);
    let mask: Uint8Array;
    if (kind === 'random') {
      mask = randomMask(data.length, m, mulberry32(tensorSeed(seed, name)));
    } else {
      const nan = data.findIndex(Number.isNaN);
      if (nan >= 0) throw new Error(`importance of ${name} is NaN at flat index ${nan}; cannot rank it`);
      mask = kind === 'top' ? topMask(data, m) : bottomMask(data, m);
    }
    masks.set(name, { shape: [...shape], data: mask });
    counts.set(name, m);
  }
  return {
    kind,
    fraction,
    languages: [...importance.languages],
    masks,
    counts,
    seed: kind === 'random' ? seed : null,
    provenance: { ...importance.provenance },
  };
}
