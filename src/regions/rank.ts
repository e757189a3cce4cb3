/*
 * Exact per-tensor selection in O(n log n) (one native sort of a copy) and O(n) extra memory.
 *
 * One ranking per tensor: by score descending, ties by LOWER flat index first (what a stable sort gives).
 * top = the first m of the ranking, bottom = the last m. So top keeps the lower indices of a tie and
 * bottom the higher ones, and top and bottom never overlap while 2m ≤ n — even for constant scores.
 * Scores must not be NaN (the caller checks).
 */

/** Mask [n] of the m highest scores; of equal scores, the lower flat indices. */
export function topMask(scores: Float32Array, m: number): Uint8Array {
  const n = scores.length;
  const mask = new Uint8Array(n);
  if (m === 0) return mask;
  const threshold = Float32Array.from(scores).sort()[n - m]!; // the m-th largest
  let ties = m;
  for (let i = 0; i < n; i++) if (scores[i]! > threshold) ties--;
  for (let i = 0; i < n; i++) {
    const v = scores[i]!;
    if (v > threshold || (v === threshold && ties-- > 0)) mask[i] = 1;
  }
  return mask;
}

/** Mask [n] of the m lowest scores; of equal scores, the higher flat indices (the end of the ranking). */
export function bottomMask(scores: Float32Array, m: number): Uint8Array {
  const n = scores.length;
  const mask = new Uint8Array(n);
  if (m === 0) return mask;
  const threshold = Float32Array.from(scores).sort()[m - 1]!; // the m-th smallest
  let ties = m;
  for (let i = 0; i < n; i++) if (scores[i]! < threshold) ties--;
  for (let i = n - 1; i >= 0; i--) {
    const v = scores[i]!;
    if (v < threshold || (v === threshold && ties-- > 0)) mask[i] = 1;
  }
  return mask;
}

/**
 * Mask [n] of exactly m entries drawn uniformly without replacement (selection sampling, Knuth's
 * Algorithm S: entry i is taken with probability (still needed) / (still left)). One pass, one draw per entry.
 */
export function randomMask(n: number, m: number, rng: () => number): Uint8Array {
  const mask = new Uint8Array(n);
  let needed = m;
  for (let i = 0; i < n && needed > 0; i++) {
    if ((n - i) * rng() < needed) {
      mask[i] = 1;
      needed--;
    }
  }
  return mask;
}
