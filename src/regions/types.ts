/**
 * A region: a set of parameters of a model, as one boolean mask per weight matrix (HF names), the way
 * the paper defines the core, bottom, random and monolingual regions (and whole FFN neurons, ./neurons.ts;
 * single parameters such as a super weight, ./parameters.ts).
 */
export type RegionKind = 'top' | 'bottom' | 'random' | `monolingual:${string}` | `neurons:${string}` | 'super-weight' | 'wanda:top' | 'wanda:bottom' | 'custom';

/** A region: which entries of which weights it holds. */
export interface Region {
  kind: RegionKind;
  /** Fraction k of each matrix (per-matrix selection); for monolingual regions the k of the top-k sets. */
  fraction: number;
  /** Languages the region was selected with. */
  languages: string[];
  /** One mask per weight in the region (1 = in the region), row-major, same shape as the weight. */
  masks: Map<string, { shape: number[]; data: Uint8Array }>;
  /** Selected entries per weight. */
  counts: Map<string, number>;
  /** Seed of a random region; null otherwise. */
  seed: number | null;
  provenance: Record<string, string>;
}

/** Total number of entries a region holds. */
export function regionSize(region: Region): number {
  let n = 0;
  for (const c of region.counts.values()) n += c;
  return n;
}
