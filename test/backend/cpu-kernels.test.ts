import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { installCpuKernelFixes } from '../../src/engine/tfjs/cpu-kernels.js';
import { initBackend } from '../../src/engine/tfjs/select.js';
import { maxAbsDiff, memorySnapshot, randomInts, randomValues } from './helpers.js';

/** Stock sums in float64 then rounds; ours accumulates in float32. Inputs in [-1, 1), ≤ 40 rows. */
const TOLERANCE = 1e-5;

/** Captured before initBackend('cpu') installs the fix: the reference. */
const stock = tf.getKernel(tf.UnsortedSegmentSum, 'cpu') as KernelConfig;

beforeAll(async () => {
  await initBackend('cpu');
});

/** Runs the stock cpu kernel directly (bypassing the registry) and reads its output. */
function stockSegmentSum(x: tf.Tensor, ids: tf.Tensor, numSegments: number): Float32Array | Int32Array {
  const backend = tf.backend();
  const out = stock.kernelFunc({ inputs: { x, segmentIds: ids }, backend, attrs: { numSegments } }) as TensorInfo;
  const values = backend.readSync(out.dataId) as Float32Array | Int32Array;
  backend.disposeData(out.dataId);
  return values;
}

describe('UnsortedSegmentSum on cpu (direct scatter-add)', () => {
  it('is installed in place of the stock kernel', () => {
    expect(tf.getKernel(tf.UnsortedSegmentSum, 'cpu').kernelFunc).not.toBe(stock.kernelFunc);
  });

  test.prop(
    [
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 12 }),
      fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
      fc.constantFrom('float32' as const, 'int32' as const),
    ],
    { numRuns: 25 },
  )('equals the stock kernel for random shapes and dtypes', (rows, numSegments, rest, dtype) => {
    const size = rows * tf.util.sizeFromShape(rest);
    const x = tf.tensor(dtype === 'int32' ? randomInts(size, 100, 1) : randomValues(size, 1), [rows, ...rest], dtype);
    const ids = tf.tensor1d(randomInts(rows, numSegments, 2), 'int32');
    const got = tf.unsortedSegmentSum(x, ids, numSegments);
    expect(got.shape).toEqual([numSegments, ...rest]);
    expect(maxAbsDiff(got.dataSync(), stockSegmentSum(x, ids, numSegments))).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([x, ids, got]);
  });

  it('skips ids outside [0, numSegments) as the stock kernel does', () => {
    const x = tf.tensor2d(randomValues(5 * 3, 3), [5, 3]);
    const ids = tf.tensor1d([0, -1, 2, 7, 2], 'int32');
    const got = tf.unsortedSegmentSum(x, ids, 3);
    expect(maxAbsDiff(got.dataSync(), stockSegmentSum(x, ids, 3))).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([x, ids, got]);
  });

  it('gives tf.grad of gather → sum of squares equal to the stock kernel', () => {
    const table = tf.tensor2d(randomValues(40 * 6, 4), [40, 6]);
    const tokens = tf.tensor2d(randomInts(3 * 10, 40, 5), [3, 10], 'int32');
    const grad = tf.grad((t: tf.Tensor) => tf.gather(t, tokens).square().sum())(table);
    const dy = tf.gather(table, tokens).mul(2).reshape([30, 6]);
    expect(maxAbsDiff(grad.dataSync(), stockSegmentSum(dy, tokens.reshape([30]), 40))).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([table, tokens, grad, dy]);
  });

  it('leaks no tensors, and installs idempotently', () => {
    installCpuKernelFixes();
    const kernel = tf.getKernel(tf.UnsortedSegmentSum, 'cpu');
    installCpuKernelFixes();
    expect(tf.getKernel(tf.UnsortedSegmentSum, 'cpu').kernelFunc).toBe(kernel.kernelFunc);
    const table = tf.tensor2d(randomValues(20 * 4, 6), [20, 4]);
    const ids = tf.tensor1d([3, 1, 3, 19], 'int32');
    const before = memorySnapshot();
    tf.grad((t: tf.Tensor) => tf.gather(t, ids).sum())(table).dispose();
    expect(memorySnapshot()).toEqual(before);
    tf.dispose([table, ids]);
  });
});
