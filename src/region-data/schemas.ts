/** The shapes of the region data the matchers record and the report reads (validated with zod). */
import { z } from 'zod';

const count = z.number().int().nonnegative();

/**
 * A compact fingerprint of a region's masks, enough to compute the Jaccard overlap of two regions from
 * two results files (see ./fingerprint.ts):
 * - `sha256` equal → the same region;
 * - `indices` (only for regions of at most INLINE_LIMIT entries): per weight, the sorted flat indices of
 *   its entries, delta-encoded as LEB128 varints, base64 → exact Jaccard;
 * - `sketch`: the k smallest 52-bit hashes of (weight name, flat index) over all entries (a bottom-k
 *   MinHash sketch) → Jaccard estimated with standard error ≈ √(J(1−J)/k), for regions of any size.
 */
export const regionFingerprintSchema = z.object({
  sha256: z.string(),
  entries: count,
  tensors: z.array(z.object({ name: z.string(), shape: z.array(count), count })),
  sketch: z.object({ k: z.number().int().positive(), hashes: z.array(z.number().nonnegative()) }),
  indices: z.record(z.string(), z.string()).optional(),
});
export type RegionFingerprint = z.infer<typeof regionFingerprintSchema>;

/** Region entries per row (or column) of a weight, binned: `counts[b]` = the most entries of any row in bin b. */
export const layoutAxisSchema = z.object({ binSize: z.number().int().positive(), counts: z.array(count) });

/**
 * Where a region sits: per weight, its entries per row and per column (the paper's figures), binned to
 * at most `bins` per axis by the maximum, so a single row that lights up stays visible in a wide matrix.
 */
export const regionLayoutSchema = z.object({
  bins: z.number().int().positive(),
  tensors: z.array(
    z.object({
      name: z.string(),
      /** Decoder layer, or null (embedding, final norm, LM head). */
      layer: z.number().int().nullable(),
      /** Short name: q_proj … down_proj, input_layernorm, post_attention_layernorm, or the full name. */
      matrix: z.string(),
      /** 0: hidden dim j is row j; 1: column j; null: no hidden axis. */
      hiddenAxis: z.union([z.literal(0), z.literal(1)]).nullable(),
      shape: z.array(count),
      entries: count,
      rows: layoutAxisSchema,
      cols: layoutAxisSchema,
    }),
  ),
});
export type RegionLayout = z.infer<typeof regionLayoutSchema>;
