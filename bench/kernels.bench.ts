import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { bench, describe, type BenchOptions } from 'vitest';
import { replaceKernel } from '../src/engine/tfjs/internals/replace-kernel.js';
import { initBackend } from '../src/engine/tfjs/select.js';

/**
 * Stock tfjs kernels against our fixes (src/engine/tfjs/wasm-kernels.ts, cpu-kernels.ts), each pair in
 * one process so the ratio is meaningful on a noisy shared machine. Stock kernels are slow: each gets
 * a couple of iterations only. Run: npx vitest bench --run bench/kernels.bench.ts
 */

// The stock kernels, captured before initBackend installs the fixes.
const stock = {
  matMul: tf.getKernel(tf.BatchMatMul, 'wasm') as KernelConfig,
  segmentSum: tf.getKernel(tf.UnsortedSegmentSum, 'cpu') as KernelConfig,
};
await initBackend('cpu');
await initBackend('wasm');
const fixed = {
  matMul: tf.getKernel(tf.BatchMatMul, 'wasm') as KernelConfig,
  segmentSum: tf.getKernel(tf.UnsortedSegmentSum, 'cpu') as KernelConfig,
};

/** Runs each iteration on `backend` with `kernel` registered; `iterations` after one warmup. */
function using(backend: string, kernel: KernelConfig, iterations: number): BenchOptions {
  const setup = async () => {
    await tf.setBackend(backend);
    replaceKernel(kernel);
  };
  return { setup, iterations, time: 0, warmupIterations: 1, warmupTime: 0 };
}

/** Runs `f` and frees what it made; wasm and cpu compute synchronously, so this times the kernels. */
function run(f: () => tf.Tensor): () => void {
  return () => tf.tidy(f).dispose();
}

await tf.setBackend('wasm');
const activations = tf.randomNormal([1024, 256]); // [tokens, d_model]
const upstream = tf.randomNormal([1024, 4096]); // [tokens, vocab]: dL/dlogits
const hidden = tf.randomNormal([8, 128, 256]); // [batch, seq, d_model]
const ffnWeight = tf.randomNormal([256, 688]); // [d_model, d_ffn]

describe('wasm BatchMatMul: [1024,256]ᵀ·[1024,4096], the LM-head weight gradient', () => {
  const f = run(() => tf.matMul(activations, upstream, true, false));
  bench('stock (naive transposed loop)', f, using('wasm', stock.matMul, 2));
  bench('fixed (transpose, then XNNPACK)', f, using('wasm', fixed.matMul, 10));
});

describe('wasm BatchMatMul: [8,128,256]·[256,688], a linear layer on a batched activation', () => {
  const f = run(() => tf.matMul(hidden, ffnWeight));
  bench('stock (naive batched loop)', f, using('wasm', stock.matMul, 5));
  bench('fixed (batch folded into rows, XNNPACK)', f, using('wasm', fixed.matMul, 10));
});

await tf.setBackend('cpu');
const table = tf.randomNormal([4096, 256]); // [vocab, d_model] embedding
const tokens = tf.tensor1d([5, 17, 17, 400, 1023, 2048, 4000, 9], 'int32');
const gatherGradient = (t: tf.Tensor) => tf.gather(t, tokens).square().sum();

describe('cpu gradient of gather: embedding [4096,256], 8 tokens', () => {
  const f = run(() => tf.grad(gatherGradient)(table));
  bench('stock UnsortedSegmentSum (a mask per vocabulary entry)', f, using('cpu', stock.segmentSum, 2));
  bench('fixed UnsortedSegmentSum (scatter-add)', f, using('cpu', fixed.segmentSum, 20));
});
