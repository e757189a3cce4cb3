/**
 * Aggregates over measured numbers: the one median and the one mean of the project. A NaN in gives NaN
 * out — a sort with `(a, b) => a - b` is unordered with NaN (`[NaN, 30, 20]` stays as it is, "median" 30…
 * or 20), and a typed array sorts NaN last, so a plain median could drop a broken value and hold a
 * finding on it. Infinities are ordered numbers here; the thresholds decide what they mean.
 */

/** The median of `values`: the middle one, or the mean of the two middle ones; NaN for an empty list or where any value is NaN. */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  // A typed copy sorts numerically, with NaN last; Float32 input stays Float32 (a layer's activations are large).
  const sorted = values instanceof Float32Array ? Float32Array.from(values) : Float64Array.from(values);
  sorted.sort();
  if (Number.isNaN(sorted[n - 1]!)) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The arithmetic mean of `values`; NaN for an empty list or where any value is NaN. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length === 0 ? Number.NaN : sum / values.length;
}

/**
 * A comparator for sorting numbers from the largest down, with NaN first (a broken value is the first
 * thing a reader should see). A total order, unlike `(a, b) => b - a`, which leaves NaN anywhere.
 */
export function descendingNaNFirst(a: number, b: number): number {
  const [aNaN, bNaN] = [Number.isNaN(a), Number.isNaN(b)];
  if (aNaN || bNaN) return Number(bNaN) - Number(aNaN);
  return a > b ? -1 : a < b ? 1 : 0;
}

/**
 * max |a − b| / max |b|: a whole tensor's error relative to its largest entry (max |a − b| where b is all
 * zeros; Infinity for arrays of different lengths). How engines are compared with each other.
 */
export function relativeToMax(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let err = 0;
  let max = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    max = Math.max(max, Math.abs(b[i]!));
  }
  return max === 0 ? err : err / max;
}
