import { regionHash } from '../../regions/hash.js';
import { isNormWeight } from '../../checkpoint/names.js';
import type { HostTensor } from '../../checkpoint/types.js';
import type { Region } from '../../regions/types.js';

// Norm weights (RMSNorm gains, isNormWeight): the paper never freezes them. AdamW does not decay them either (../adam.ts).

/** What freezing a region means for one model: the masks the optimizer gets, and what was left out. */
export interface FrozenMasks {
  /** One 0/1 mask per frozen weight (1 = frozen), row-major, same length as the weight. */
  masks: Map<string, Uint8Array>;
  /** Entries kept fixed (1s in `masks`). */
  entries: number;
  /** Norm weights the region held entries of; their masks were dropped (the paper never freezes norms). */
  droppedNormMasks: string[];
  /** Region entries in those norm weights. */
  droppedNormEntries: number;
}

/**
 * Checks a region against the model's weights and turns it into optimizer masks, dropping the masks of
 * norm weights. Every mask must name a weight of the model and have its shape.
 * @throws Error naming the weight and both shapes when the region belongs to another model.
 */
export function frozenMasks(region: Region, weights: ReadonlyMap<string, HostTensor>): FrozenMasks {
  const masks = new Map<string, Uint8Array>();
  const droppedNormMasks: string[] = [];
  let entries = 0;
  let droppedNormEntries = 0;
  for (const [name, mask] of region.masks) {
    const w = weights.get(name);
    if (w === undefined) {
      throw new Error(`furtherPretrain: options.freeze: the region has a mask for ${name}, which the model does not have (was the region found on another model?)`);
    }
    const size = mask.shape.reduce((a, b) => a * b, 1);
    if (mask.shape.length !== w.shape.length || mask.shape.some((d, k) => d !== w.shape[k]) || mask.data.length !== size) {
      throw new Error(
        `furtherPretrain: options.freeze: the mask for ${name} has shape [${mask.shape}] (${mask.data.length} entries) but the model's weight has shape [${w.shape}] (was the region found on another model?)`,
      );
    }
    const bits = new Uint8Array(size);
    let count = 0;
    for (let i = 0; i < size; i++) if (mask.data[i] !== 0) (bits[i] = 1), count++;
    if (isNormWeight(name)) {
      if (count > 0) droppedNormMasks.push(name);
      droppedNormEntries += count;
      continue;
    }
    if (count === 0) continue;
    masks.set(name, bits);
    entries += count;
  }
  return { masks, entries, droppedNormMasks, droppedNormEntries };
}

/**
 * A copy of `weights` with the masked entries set to 0 (the authors' zero-and-keep-at-zero variant).
 * Unmasked weights are shared, not copied: the trainer copies whatever it is given.
 */
export function zeroMasked(weights: ReadonlyMap<string, HostTensor>, masks: ReadonlyMap<string, Uint8Array>): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [name, w] of weights) {
    const mask = masks.get(name);
    if (mask === undefined) {
      out.set(name, w);
      continue;
    }
    const data = w.data.slice();
    for (let i = 0; i < data.length; i++) if (mask[i] === 1) data[i] = 0;
    out.set(name, { shape: w.shape, data });
  }
  return out;
}

/** A region as settings record it: its description and a content hash of its masks (names, shapes, entries). */
export interface RegionDigest {
  kind: string;
  fraction: number;
  languages: string[];
  seed: number | null;
  /** Entries the region holds, norm weights included. */
  entries: number;
  sha256: string;
}

/** Describes a region for settings; its sha256 is {@link regionHash}. */
export function regionDigest(region: Region): RegionDigest {
  let entries = 0;
  for (const mask of region.masks.values()) for (const v of mask.data) entries += v !== 0 ? 1 : 0;
  return {
    kind: region.kind,
    fraction: region.fraction,
    languages: [...region.languages],
    seed: region.seed,
    entries,
    sha256: regionHash(region),
  };
}
