/**
 * Threshold conditions that cannot be fooled: a NaN or ±Infinity (a broken measurement, a missing
 * language) meets no threshold, in either direction — so it fails the finding and its `.not` alike is
 * decided by the other conditions, never by a comparison that is false both ways.
 */

/** x is a finite number ≥ min. */
export function atLeast(x: number | null | undefined, min: number): boolean {
  return typeof x === 'number' && Number.isFinite(x) && x >= min;
}

/** x is a finite number ≤ max. */
export function atMost(x: number | null | undefined, max: number): boolean {
  return typeof x === 'number' && Number.isFinite(x) && x <= max;
}

/** The relation to print between x and min: '≥', '<', or 'not ≥' for a value that is not a finite number. */
export function geSign(x: number | null | undefined, min: number): string {
  if (atLeast(x, min)) return '≥';
  return typeof x === 'number' && Number.isFinite(x) ? '<' : 'not ≥';
}
