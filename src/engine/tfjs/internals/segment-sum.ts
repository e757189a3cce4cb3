/**
 * The arithmetic of `UnsortedSegmentSum`, shared by the cpu and wasm kernels: the output layout and a
 * direct scatter-add of input rows into output rows. One pass over the input, no per-segment masks.
 */

/** Numeric typed arrays a kernel reads and writes. */
export type NumericArray = Float32Array | Int32Array;

/** Shape bookkeeping for `UnsortedSegmentSum(x, segmentIds, numSegments)`. */
export interface SegmentSumLayout {
  /** `[numSegments, ...x.shape.slice(segmentIds.rank)]`. */
  outShape: number[];
  /** Elements per row: the product of `x.shape.slice(segmentIds.rank)`. */
  rowSize: number;
}

/**
 * Output layout of a segment sum. `segmentIds` indexes the leading `idsShape.length` axes of `x`,
 * as in TensorFlow: x `[...idsShape, ...rest]` → out `[numSegments, ...rest]`.
 */
export function segmentSumLayout(xShape: number[], idsShape: number[], numSegments: number): SegmentSumLayout {
  const prefix = xShape.slice(0, idsShape.length);
  if (prefix.length !== idsShape.length || prefix.some((d, i) => d !== idsShape[i])) {
    throw new Error(
      `UnsortedSegmentSum: segmentIds shape [${idsShape}] must be a prefix of x shape [${xShape}]`,
    );
  }
  const rest = xShape.slice(idsShape.length);
  return { outShape: [numSegments, ...rest], rowSize: rest.reduce((n, d) => n * d, 1) };
}

/**
 * out[ids[i], :] += x[i, :] for every row i of x; `out` must hold zeros (or a running sum) on entry.
 * Ids outside [0, numSegments) are skipped, as the stock tfjs kernels do.
 */
export function scatterAddRows(
  x: NumericArray,
  ids: Int32Array,
  rowSize: number,
  numSegments: number,
  out: NumericArray,
): void {
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i]!;
    if (segment < 0 || segment >= numSegments) continue;
    const from = i * rowSize;
    const to = segment * rowSize;
    for (let j = 0; j < rowSize; j++) out[to + j] = out[to + j]! + x[from + j]!;
  }
}
