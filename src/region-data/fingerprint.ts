/**
 * A region's fingerprint for results.json, and the Jaccard overlap of two regions from their
 * fingerprints alone — how `regions compare` tells that a new checkpoint's core region moved.
 *
 * A LLaMA-7B core region (1%) holds ~65M entries: too many to list in JSON. So the fingerprint carries
 * - the region's content hash (the same as RegionSummary.sha256): equal hashes, same region;
 * - the exact entries (sorted flat indices per weight, gap-encoded) only up to {@link INLINE_LIMIT}
 *   entries — small checkpoints such as the fixture model compare exactly;
 * - always, a bottom-k MinHash sketch: every entry (weight name, flat index) hashed to 52 bits, the k
 *   smallest kept. For two regions, the k smallest hashes of the union are a uniform sample of the
 *   union, and the share of them present in both sketches estimates |A ∩ B| / |A ∪ B| with standard
 *   error √(J(1−J)/k): ±0.016 at k = 1024, plenty to tell J = 0.9 from a bound of 0.5.
 */
import type { Region } from '../regions/types.js';
import { regionHash } from '../regions/hash.js';
import { decodeIndices, encodeIndices } from './internals/varint.js';
import type { RegionFingerprint } from './schemas.js';

/** Regions with at most this many entries carry their exact indices. */
export const INLINE_LIMIT = 50_000;
/** Hashes kept in the sketch (k). */
export const SKETCH_SIZE = 1024;

/** Settings of {@link regionFingerprint}. */
export interface FingerprintOptions {
  /** k of the bottom-k sketch (default {@link SKETCH_SIZE}). */
  sketchSize?: number;
  /** Inline the exact indices up to this many entries (default {@link INLINE_LIMIT}; 0: never). */
  inlineLimit?: number;
  /** The region's content hash when the caller has it (RegionSummary.sha256), to save hashing the masks again. */
  sha256?: string;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A 52-bit hash of one entry: two 32-bit murmur finalisers of the index, keyed by the weight's name. */
function entryHash(seedA: number, seedB: number, index: number): number {
  const hi = fmix32((index ^ seedA) >>> 0);
  const lo = fmix32((Math.imul(index, 0x9e3779b1) ^ seedB) >>> 0);
  return hi * 2 ** 20 + (lo >>> 12);
}

/** Keeps the k smallest distinct values seen (a max-heap on a Float64Array). */
class BottomK {
  readonly #heap: Float64Array;
  #size = 0;
  readonly #members = new Set<number>();

  constructor(readonly k: number) {
    this.#heap = new Float64Array(k);
  }

  offer(v: number): void {
    const heap = this.#heap;
    if (this.#size === this.k && v >= heap[0]!) return;
    if (this.#members.has(v)) return;
    if (this.#size < this.k) {
      let i = this.#size++;
      heap[i] = v;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heap[parent]! >= heap[i]!) break;
        [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
        i = parent;
      }
    } else {
      this.#members.delete(heap[0]!);
      heap[0] = v;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let top = i;
        if (l < this.k && heap[l]! > heap[top]!) top = l;
        if (r < this.k && heap[r]! > heap[top]!) top = r;
        if (top === i) break;
        [heap[top], heap[i]] = [heap[i]!, heap[top]!];
        i = top;
      }
    }
    this.#members.add(v);
  }

  sorted(): number[] {
    return Array.from(this.#heap.subarray(0, this.#size)).sort((a, b) => a - b);
  }
}

/** The fingerprint of a region's masks (see the file comment). Weights in name order. */
export function regionFingerprint(region: Region, options: FingerprintOptions = {}): RegionFingerprint {
  const k = options.sketchSize ?? SKETCH_SIZE;
  const inlineLimit = options.inlineLimit ?? INLINE_LIMIT;
  const sketch = new BottomK(k);
  const names = [...region.masks.keys()].sort();
  const tensors: RegionFingerprint['tensors'] = [];
  const lists = new Map<string, number[]>();
  let entries = 0;
  for (const name of names) {
    const { shape, data } = region.masks.get(name)!;
    const seedA = fnv1a(name);
    const seedB = fmix32(seedA ^ 0x5bd1e995);
    const list: number[] = [];
    let n = 0;
    for (let i = 0; i < data.length; i++) {
      if (data[i] === 0) continue;
      n++;
      sketch.offer(entryHash(seedA, seedB, i));
      if (entries + n <= inlineLimit) list.push(i);
    }
    entries += n;
    tensors.push({ name, shape: [...shape], count: n });
    lists.set(name, list);
  }
  const fingerprint: RegionFingerprint = { sha256: options.sha256 ?? regionHash(region), entries, tensors, sketch: { k, hashes: sketch.sorted() } };
  if (entries <= inlineLimit) {
    fingerprint.indices = Object.fromEntries(names.filter((n) => lists.get(n)!.length > 0).map((n) => [n, encodeIndices(lists.get(n)!)]));
  }
  return fingerprint;
}

/** How two fingerprints overlap. */
export interface FingerprintOverlap {
  /** |A ∩ B| / |A ∪ B| (1 when both are empty). */
  jaccard: number;
  /** `identical`: same content hash; `exact`: from the inlined indices; `sketch`: estimated. */
  method: 'identical' | 'exact' | 'sketch';
  /** Standard error of a sketch estimate; 0 otherwise. */
  standardError: number;
}

function sortedIntersection(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else {
      n++;
      i++;
      j++;
    }
  }
  return n;
}

function exactJaccard(a: RegionFingerprint, b: RegionFingerprint): number {
  let intersection = 0;
  for (const [name, encoded] of Object.entries(a.indices!)) {
    const other = b.indices![name];
    if (other !== undefined) intersection += sortedIntersection(decodeIndices(encoded), decodeIndices(other));
  }
  const union = a.entries + b.entries - intersection;
  return union === 0 ? 1 : intersection / union;
}

/** Bottom-k estimate: of the k smallest hashes of A ∪ B, the share in both sketches. */
function sketchJaccard(a: RegionFingerprint, b: RegionFingerprint): { jaccard: number; k: number } {
  const k = Math.min(a.sketch.k, b.sketch.k);
  const inA = new Set(a.sketch.hashes);
  const inB = new Set(b.sketch.hashes);
  const union = [...new Set([...a.sketch.hashes, ...b.sketch.hashes])].sort((x, y) => x - y).slice(0, k);
  if (union.length === 0) return { jaccard: 1, k: 0 };
  const both = union.filter((h) => inA.has(h) && inB.has(h)).length;
  return { jaccard: both / union.length, k: union.length };
}

/**
 * The Jaccard overlap of two regions from their fingerprints: exact when the hashes match or both carry
 * their indices, else the sketch estimate with its standard error.
 */
export function fingerprintOverlap(a: RegionFingerprint, b: RegionFingerprint): FingerprintOverlap {
  if (a.sha256 === b.sha256) return { jaccard: 1, method: 'identical', standardError: 0 };
  if (a.indices !== undefined && b.indices !== undefined) return { jaccard: exactJaccard(a, b), method: 'exact', standardError: 0 };
  const { jaccard, k } = sketchJaccard(a, b);
  // A sketch that holds every entry of both regions is the union itself: exact up to hash collisions.
  const complete = a.sketch.hashes.length === a.entries && b.sketch.hashes.length === b.entries;
  return { jaccard, method: 'sketch', standardError: complete || k === 0 ? 0 : Math.sqrt((jaccard * (1 - jaccard)) / k) };
}
