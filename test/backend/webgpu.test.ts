import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/tfjs/select.js';
import { evaluate, evaluateAll, maxAbsDiff, randomInts, randomValues } from './helpers.js';

/**
 * WebGPU through Dawn. Without a GPU it runs on Mesa's llvmpipe over OpenGL (surfaceless EGL):
 * slow, but the same shaders, so correctness can be checked on CPU-only CI. Reads use async `data()`:
 * `dataSync()` fails on this backend under Node.
 */
const TOLERANCE = 1e-5;

const probe = await initBackend('webgpu').then(
  (info) => ({ info, reason: '' }),
  (error: unknown) => ({ info: undefined, reason: String(error) }),
);
const unavailable = probe.info === undefined;
const skipNote = unavailable ? ` — skipped: ${probe.reason}` : '';

describe(`webgpu backend (${probe.info?.device ?? 'no adapter'})`, () => {
  it.skipIf(unavailable)(`matMul equals tfjs cpu for all four transpose combinations${skipNote}`, async () => {
    const [m, k, n] = [33, 17, 29];
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      const a = randomValues(m * k, 1);
      const b = randomValues(k * n, 2);
      const build = () => tf.matMul(tf.tensor(a, tA ? [k, m] : [m, k]), tf.tensor(b, tB ? [n, k] : [k, n]), tA, tB);
      const want = await evaluate('cpu', build);
      const got = await evaluate('webgpu', build);
      expect(got.shape).toEqual(want.shape);
      expect(maxAbsDiff(got.values, want.values), `max |webgpu − cpu|, tA=${tA} tB=${tB}`).toBeLessThanOrEqual(
        TOLERANCE,
      );
    }
  });

  it.skipIf(unavailable)(`tf.grad of gather → sum of squares equals tfjs cpu${skipNote}`, async () => {
    const table = randomValues(40 * 8, 3);
    const tokens = randomInts(2 * 9, 40, 4);
    const grads = () => [
      tf.grad((t: tf.Tensor) => tf.gather(t, tf.tensor2d(tokens, [2, 9], 'int32')).square().sum())(
        tf.tensor2d(table, [40, 8]),
      ),
    ];
    const [want] = await evaluateAll('cpu', grads);
    const [got] = await evaluateAll('webgpu', grads);
    expect(got!.shape).toEqual(want!.shape);
    expect(maxAbsDiff(got!.values, want!.values)).toBeLessThanOrEqual(TOLERANCE);
  });
});
