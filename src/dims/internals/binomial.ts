/**
 * Expected count and variance of region entries on one slice (a row or column) under a uniform spread:
 * the weight's region entries fall on its `n`-entry slice like n draws with probability p = entries / size,
 * so count ~ Binomial(n, p): mean n·p, variance n·p·(1 − p).
 */
export function sliceMoments(n: number, p: number): { mean: number; variance: number } {
  return { mean: n * p, variance: n * p * (1 - p) };
}

/** (count − mean) / √variance; 0 when the variance is 0 (nothing or everything selected: no spread to test). */
export function zScore(count: number, mean: number, variance: number): number {
  return variance > 0 ? (count - mean) / Math.sqrt(variance) : 0;
}
