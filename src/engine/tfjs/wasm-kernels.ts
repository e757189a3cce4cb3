import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replaceKernel } from './internals/replace-kernel.js';
import { scatterAddRows, segmentSumLayout, type NumericArray } from './internals/segment-sum.js';

/**
 * Two fixes to tfjs's wasm backend (4.22), registered through tfjs's public kernel registry:
 *
 * - `UnsortedSegmentSum` is missing on wasm, and the gradient of `tf.gather` (the embedding lookup)
 *   needs it. We add a direct scatter-add over the wasm heap.
 * - `BatchMatMul` only reaches XNNPACK when neither operand is transposed and both have batch size 1;
 *   everything else runs a naive loop (a [1024,256]ᵀ·[1024,4096] weight gradient: ~2.7 s against
 *   ~85 ms). When `b` has no batch we transpose transposed operands first (wasm `Transpose`, ~1 ms)
 *   and fold the batch axes of `a` into its rows ([8,128,256]·[256,688]: ~130 ms against ~19 ms),
 *   then call the stock kernel on the fast path. Intermediates are freed before returning. Batched
 *   `b` (attention) keeps the stock kernel: it has no fast path there.
 */

type KernelParams = Parameters<KernelFunc>[0];

/** What {@link installWasmKernelFixes} changes, one line per kernel, for `BackendInfo.kernelFixes`. */
export const WASM_KERNEL_FIXES: readonly string[] = [
  'UnsortedSegmentSum (wasm): added, a direct scatter-add (tfjs has none; tf.gather gradients need it)',
  'BatchMatMul (wasm): when b is unbatched, transposed operands are transposed first and the batch axes ' +
    'of a folded into rows, so the fast XNNPACK path runs',
];

/** The stock wasm BatchMatMul, captured when the fix is first installed; the fix delegates to it. */
let stockBatchMatMul: KernelConfig | undefined;

/**
 * Registers both fixes for the `wasm` backend. Idempotent. Call after importing
 * `@tensorflow/tfjs-backend-wasm` (which registers the stock kernels) and before the first op; the
 * stock BatchMatMul's setup runs as before, on every `tf.setBackend('wasm')`.
 * @returns {@link WASM_KERNEL_FIXES}
 */
export function installWasmKernelFixes(): readonly string[] {
  const current = tf.getKernel(tf.BatchMatMul, 'wasm') as KernelConfig | undefined;
  if (current === undefined) {
    throw new Error(
      "installWasmKernelFixes: no wasm BatchMatMul kernel is registered; import '@tensorflow/tfjs-backend-wasm' first",
    );
  }
  if (current.kernelFunc !== batchMatMulUntransposed) stockBatchMatMul = current;
  replaceKernel({ ...stockBatchMatMul!, kernelFunc: batchMatMulUntransposed });
  replaceKernel({ kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSum });
  return WASM_KERNEL_FIXES;
}

/** `UnsortedSegmentSum`: x [N, ...rest], segmentIds int32 [N] → [numSegments, ...rest]. */
function unsortedSegmentSum({ inputs, backend, attrs }: KernelParams): TensorInfo {
  const wasm = backend as BackendWasm;
  const x = inputs['x']!;
  const segmentIds = inputs['segmentIds']!;
  const numSegments = attrs!['numSegments'] as number;
  if ((x.dtype !== 'float32' && x.dtype !== 'int32') || segmentIds.dtype !== 'int32') {
    throw new Error(
      `UnsortedSegmentSum (wasm): expected x float32 or int32 and segmentIds int32, got ${x.dtype} and ${segmentIds.dtype}`,
    );
  }
  const { outShape, rowSize } = segmentSumLayout(x.shape, segmentIds.shape, numSegments);
  const out = wasm.makeOutput(outShape, x.dtype);
  // Views only after makeOutput: allocating can grow the wasm heap, which detaches older views.
  const sums = wasm.typedArrayFromHeap(out) as NumericArray;
  sums.fill(0);
  const xValues = wasm.typedArrayFromHeap(x) as NumericArray;
  const ids = wasm.typedArrayFromHeap(segmentIds) as Int32Array;
  scatterAddRows(xValues, ids, rowSize, numSegments, sums);
  return out;
}

/**
 * `BatchMatMul` routed to the stock kernel's fast path when b has no batch: untransposed, a's batch
 * folded into rows. When b is batched (attention) no path is fast, the naive loop is as quick with
 * transposed operands, and transposing first would only add copies: the stock kernel runs as is.
 */
function batchMatMulUntransposed({ inputs, backend, attrs }: KernelParams): TensorInfo {
  const wasm = backend as BackendWasm;
  const transposeA = attrs!['transposeA'] === true;
  const transposeB = attrs!['transposeB'] === true;
  assertInnerDimsMatch(inputs['a']!, inputs['b']!, transposeA, transposeB);
  if (tf.util.sizeFromShape(inputs['b']!.shape.slice(0, -2)) !== 1) {
    return stockBatchMatMul!.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
  }
  const temporaries: TensorInfo[] = [];
  try {
    const a = transposeA ? keep(temporaries, transposeLastTwo(inputs['a']!, wasm)) : inputs['a']!;
    const b = transposeB ? keep(temporaries, transposeLastTwo(inputs['b']!, wasm)) : inputs['b']!;
    return plainMatMul(a, b, wasm);
  } finally {
    for (const t of temporaries) wasm.disposeData(t.dataId);
  }
}

/** a [...batchA, M, K] · b [..., K, N] (batch axes all 1) → [...broadcast, M, N], no transposes. */
function plainMatMul(a: TensorInfo, b: TensorInfo, backend: BackendWasm): TensorInfo {
  const outShape = [
    ...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)),
    a.shape.at(-2)!,
    b.shape.at(-1)!,
  ];
  const attrs = { transposeA: false, transposeB: false };
  const inputs = { a: foldBatchIntoRows(a), b };
  const out = stockBatchMatMul!.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
  out.shape = outShape;
  return out;
}

/**
 * b has no batch (all its batch axes are 1), so a [...batch, M, K] is the same memory as
 * [batch·M, K], and one 2-D product replaces a batched one the stock kernel would run slowly.
 * The returned view shares a's data and owns no reference to it.
 */
function foldBatchIntoRows(a: TensorInfo): TensorInfo {
  const k = a.shape.at(-1)!;
  if (a.shape.length <= 2 || k === 0) return a;
  return { dataId: a.dataId, dtype: a.dtype, shape: [tf.util.sizeFromShape(a.shape) / k, k] };
}

/** x [..., R, C] → a new tensor [..., C, R] made by the stock wasm `Transpose` kernel. */
function transposeLastTwo(x: TensorInfo, backend: BackendWasm): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
}

function keep(list: TensorInfo[], t: TensorInfo): TensorInfo {
  list.push(t);
  return t;
}

/** The stock kernel's check, made on the caller's shapes and flags so its message names them. */
function assertInnerDimsMatch(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): void {
  const innerA = transposeA ? a.shape.at(-2) : a.shape.at(-1);
  const innerB = transposeB ? b.shape.at(-1) : b.shape.at(-2);
  tf.util.assert(
    innerA === innerB,
    () =>
      `Error in matMul: inner shapes (${innerA}) and (${innerB}) of Tensors with shapes ${a.shape} and ` +
      `${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
  );
}
