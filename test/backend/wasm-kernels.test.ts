import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/tfjs/select.js';
import { installWasmKernelFixes } from '../../src/engine/tfjs/wasm-kernels.js';
import { evaluate, evaluateAll, maxAbsDiff, memorySnapshot, randomInts, randomValues } from './helpers.js';

/** Tolerance against tfjs `cpu`: inputs are in [-1, 1), inner sizes ≤ 24, float32 throughout. */
const TOLERANCE = 1e-5;

/** Batch shapes of (a, b), including every broadcast the stock kernel supports. */
const BATCHES: [number[], number[]][] = [
  [[], []],
  [[3], []],
  [[2, 2], [1]],
  [[], [3]],
  [[2], [2]],
  [[1], [3]],
  [[2, 1], [1, 3]],
  [[2, 3], [3]],
];

beforeAll(async () => {
  await initBackend('wasm');
});

/** a [...batchA, M, K] (or [..., K, M] when transposed) · b, on `backend`, from fixed values. */
function matMulOn(backend: string, shapeA: number[], shapeB: number[], transposeA: boolean, transposeB: boolean) {
  const a = randomValues(tf.util.sizeFromShape(shapeA), 1);
  const b = randomValues(tf.util.sizeFromShape(shapeB), 2);
  return evaluate(backend, () => tf.matMul(tf.tensor(a, shapeA), tf.tensor(b, shapeB), transposeA, transposeB));
}

function operandShapes(batchA: number[], batchB: number[], m: number, k: number, n: number, tA: boolean, tB: boolean) {
  return [
    [...batchA, ...(tA ? [k, m] : [m, k])],
    [...batchB, ...(tB ? [n, k] : [k, n])],
  ] as const;
}

describe('BatchMatMul on wasm (transposed operands transposed first, batch folded into rows)', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 24 }),
      fc.integer({ min: 1, max: 24 }),
      fc.integer({ min: 1, max: 24 }),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom(...BATCHES),
    ],
    { numRuns: 40 },
  )('equals tfjs cpu within 1e-5 for all four transpose combinations', async (m, k, n, tA, tB, [batchA, batchB]) => {
    const [shapeA, shapeB] = operandShapes(batchA, batchB, m, k, n, tA, tB);
    const want = await matMulOn('cpu', [...shapeA], [...shapeB], tA, tB);
    const got = await matMulOn('wasm', [...shapeA], [...shapeB], tA, tB);
    expect(got.shape).toEqual(want.shape);
    expect(maxAbsDiff(got.values, want.values), `max |wasm − cpu| for [${shapeA}]·[${shapeB}] tA=${tA} tB=${tB}`)
      .toBeLessThanOrEqual(TOLERANCE);
  });

  it('leaks neither tensors nor wasm buffers, for every transpose combination and a folded batch', () => {
    const a = tf.tensor(randomValues(2 * 5 * 5, 3), [2, 5, 5]);
    const w = tf.tensor(randomValues(5 * 5, 4), [5, 5]);
    const before = memorySnapshot();
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      tf.matMul(a, w, tA, tB).dispose();
      tf.matMul(w, a, tA, tB).dispose();
    }
    expect(memorySnapshot()).toEqual(before);
    tf.dispose([a, w]);
  });

  it("reports a mismatch in the caller's shapes and flags", () => {
    const a = tf.zeros([4, 3]);
    expect(() => tf.matMul(a, a, true, true)).toThrow(/inner shapes \(4\) and \(3\).*4,3 and 4,3.*transposeA=true/);
    a.dispose();
  });

  it('installs idempotently and survives a backend switch (the stock setup still runs)', async () => {
    const kernel = tf.getKernel(tf.BatchMatMul, 'wasm');
    installWasmKernelFixes();
    installWasmKernelFixes();
    expect(kernel.kernelFunc.name).toBe('batchMatMulUntransposed');
    expect(tf.getKernel(tf.BatchMatMul, 'wasm').kernelFunc).toBe(kernel.kernelFunc);
    const want = await matMulOn('cpu', [7, 5], [9, 7], true, true);
    const got = await matMulOn('wasm', [7, 5], [9, 7], true, true);
    expect(maxAbsDiff(got.values, want.values)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('UnsortedSegmentSum on wasm (added: tfjs has none)', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 12 }),
      fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
      fc.constantFrom('float32' as const, 'int32' as const),
    ],
    { numRuns: 25 },
  )('equals tfjs cpu for random shapes and dtypes', async (rows, numSegments, rest, dtype) => {
    const size = rows * tf.util.sizeFromShape(rest);
    const x = dtype === 'int32' ? randomInts(size, 100, 5) : randomValues(size, 5);
    const ids = randomInts(rows, numSegments, 6);
    const build = () => tf.unsortedSegmentSum(tf.tensor(x, [rows, ...rest], dtype), tf.tensor1d(ids, 'int32'), numSegments);
    const want = await evaluate('cpu', build);
    const got = await evaluate('wasm', build);
    expect(got.shape).toEqual(want.shape);
    expect(maxAbsDiff(got.values, want.values)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('sums over a 2-D segmentIds prefix as over the flattened rows (stock cpu cannot: it throws)', async () => {
    const x = randomValues(2 * 3 * 4, 7);
    const ids = [0, 2, 2, 1, 0, 2];
    const want = await evaluate('cpu', () => tf.unsortedSegmentSum(tf.tensor(x, [6, 4]), tf.tensor1d(ids, 'int32'), 3));
    // tfjs types segmentIds as 1-D; the kernel takes any prefix of x's shape, as TensorFlow does.
    const ids2d = () => tf.tensor2d(ids, [2, 3], 'int32') as tf.Tensor as tf.Tensor1D;
    const got = await evaluate('wasm', () => tf.unsortedSegmentSum(tf.tensor(x, [2, 3, 4]), ids2d(), 3));
    expect(got.shape).toEqual([3, 4]);
    expect(maxAbsDiff(got.values, want.values)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('gives tf.grad of gather → matMul → sum of squares equal to tfjs cpu (embedding + weight gradients)', async () => {
    const [vocab, dim, out] = [50, 8, 6];
    const table = randomValues(vocab * dim, 8);
    const weight = randomValues(dim * out, 9);
    const tokens = randomInts(2 * 12, vocab, 10);
    const grads = () => {
      const loss = (t: tf.Tensor, w: tf.Tensor) => {
        const h = tf.gather(t, tf.tensor2d(tokens, [2, 12], 'int32')).reshape([24, dim]);
        return tf.matMul(h, w).square().sum();
      };
      return tf.grads(loss)([tf.tensor2d(table, [vocab, dim]), tf.tensor2d(weight, [dim, out])]);
    };
    const want = await evaluateAll('cpu', grads);
    const got = await evaluateAll('wasm', grads);
    for (const [i, name] of ['table', 'weight'].entries()) {
      expect(got[i]!.shape).toEqual(want[i]!.shape);
      expect(maxAbsDiff(got[i]!.values, want[i]!.values), `max |wasm − cpu| of d loss / d ${name}`).toBeLessThanOrEqual(
        TOLERANCE,
      );
    }
  });

  it('leaks neither tensors nor wasm buffers', () => {
    const table = tf.tensor2d(randomValues(30 * 4, 11), [30, 4]);
    const ids = tf.tensor1d([3, 1, 3, 29], 'int32');
    const rows = tf.tensor2d(randomValues(4 * 4, 12), [4, 4]);
    const before = memorySnapshot();
    tf.unsortedSegmentSum(rows, ids, 30).dispose();
    tf.grad((t: tf.Tensor) => tf.gather(t, ids).sum())(table).dispose();
    expect(memorySnapshot()).toEqual(before);
    tf.dispose([table, ids, rows]);
  });
});
