import * as tf from '@tensorflow/tfjs';

/** A tensor's values and shape, read back and disposed. */
export interface Evaluated {
  shape: number[];
  values: Float32Array | Int32Array | Uint8Array;
}

/**
 * Runs `build` on tfjs backend `backend` (inputs must be made inside it, from plain arrays) and reads
 * the result with async `data()`, which every backend supports.
 */
export async function evaluate(backend: string, build: () => tf.Tensor): Promise<Evaluated> {
  await tf.setBackend(backend);
  const result = tf.tidy(build);
  const values = (await result.data()) as Evaluated['values'];
  const shape = result.shape;
  result.dispose();
  return { shape, values };
}

/** Several tensors at once (e.g. the gradients of several variables), as {@link evaluate}. */
export async function evaluateAll(backend: string, build: () => tf.Tensor[]): Promise<Evaluated[]> {
  await tf.setBackend(backend);
  const results = tf.tidy(build);
  const out: Evaluated[] = [];
  for (const t of results) out.push({ shape: t.shape, values: (await t.data()) as Evaluated['values'] });
  tf.dispose(results);
  return out;
}

/** Largest |a[i] − b[i]|; Infinity when the lengths differ. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** `n` reproducible values in [-1, 1) (a small LCG, so tests need no tfjs randomness). */
export function randomValues(n: number, seed: number): number[] {
  let state = (seed * 2654435761) >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out.push(state / 2 ** 31 - 1);
  }
  return out;
}

/** `n` reproducible integers in [0, max). */
export function randomInts(n: number, max: number, seed: number): number[] {
  return randomValues(n, seed).map((v) => Math.min(max - 1, Math.floor(((v + 1) / 2) * max)));
}

/** tf.memory().numTensors and the active backend's own buffer count, to detect leaks of either. */
export function memorySnapshot(): { tensors: number; backendBuffers: number } {
  return { tensors: tf.memory().numTensors, backendBuffers: tf.backend().numDataIds() };
}
