/**
 * Small seeded pseudo-random generators, so that everything random in the project (initial weights,
 * sampled texts, shuffles) is reproducible from one integer seed.
 */

/** mulberry32: a fast 32-bit seeded PRNG. Returns a function giving uniform numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample N(0, 1) from `rng` (Box–Muller; uses two uniforms per sample). */
export function normal(rng: () => number): number {
  const u1 = 1 - rng(); // in (0, 1]: log(u1) is finite
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
