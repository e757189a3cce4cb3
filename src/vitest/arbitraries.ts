/**
 * fast-check arbitraries for the parameters the findings are swept over, drawn so that a failing property
 * shrinks to something that says where the finding stops holding — not to one of a few listed values.
 */
import fc from 'fast-check';

/**
 * A region fraction k in [min, max], on a log scale: drawn as ln k, so the decade 0.1–1% gets a share like
 * 1–10%'s (fast-check biases doubles towards the ends of their range: not exactly uniform). fast-check
 * shrinks a double towards the end of its range nearest zero — for ln k, the largest k. So when "zeroing
 * the top-k region wrecks every language" fails for the smaller k, the minimal counterexample is the largest
 * k at which it still fails: the boundary above which the finding holds (test/vitest/sweep.test.ts).
 * @throws RangeError unless 0 < min ≤ max < 1.
 */
export function regionFraction(min: number, max: number): fc.Arbitrary<number> {
  if (!(min > 0 && min <= max && max < 1)) throw new RangeError(`regionFraction: need 0 < min ≤ max < 1 (got ${min}, ${max})`);
  const [lo, hi] = [Math.log(min), Math.log(max)];
  // exp(ln k) can land a hair outside [min, max]: clamp, so the stated range holds exactly.
  return fc.double({ min: lo, max: hi, noNaN: true }).map((x) => Math.min(max, Math.max(min, Math.exp(x))));
}

/** A hidden dimension of the model, 0 … hiddenSize − 1 (shrinks towards 0). */
export function hiddenDim(hiddenSize: number): fc.Arbitrary<number> {
  if (!(Number.isInteger(hiddenSize) && hiddenSize >= 1)) throw new RangeError(`hiddenDim: hiddenSize must be a whole number ≥ 1 (got ${hiddenSize})`);
  return fc.integer({ min: 0, max: hiddenSize - 1 });
}

/** A decoder layer, 0 … numLayers − 1 (shrinks towards the first). */
export function layerIndex(numLayers: number): fc.Arbitrary<number> {
  if (!(Number.isInteger(numLayers) && numLayers >= 1)) throw new RangeError(`layerIndex: numLayers must be a whole number ≥ 1 (got ${numLayers})`);
  return fc.integer({ min: 0, max: numLayers - 1 });
}
