import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeAll } from '../../src/model/model.js';
import { MaskedAdam } from '../../src/train/adam.js';
import { tinyModel } from '../helpers/tiny.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const windows = [
  [256, 72, 101, 108, 108, 111, 32, 119],
  [256, 228, 189, 160, 229, 165, 189, 10],
];

describe('MaskedAdam', () => {
  it('keeps frozen entries bit-identical over several steps while the rest moves, and leaks nothing', async () => {
    const { model } = tinyModel(3);
    const before = tf.memory().numTensors;
    const name = 'model.layers.0.mlp.down_proj.weight';
    const original = (await model.weight(name).data()).slice();
    const maskData = new Uint8Array(original.length).map((_, i) => (i % 3 === 0 ? 1 : 0));
    const mask = tf.tensor(maskData, model.weight(name).shape, 'bool');
    const adam = new MaskedAdam({ lr: 1e-2, weightDecay: 0.01 });
    const losses: number[] = [];
    for (let s = 0; s < 3; s++) {
      const { loss, grads } = await model.lossAndGrads(windows);
      losses.push(loss);
      adam.apply(model, grads, new Map([[name, mask]]));
      disposeAll(grads);
    }
    const after = await model.weight(name).data();
    const origBits = new Uint32Array(original.buffer);
    const afterBits = new Uint32Array(after.buffer, after.byteOffset, after.length);
    let moved = 0;
    for (let i = 0; i < original.length; i++) {
      if (maskData[i] === 1) expect(afterBits[i]).toBe(origBits[i]);
      else if (afterBits[i] !== origBits[i]) moved++;
    }
    expect(moved).toBeGreaterThan(0.9 * (original.length - maskData.reduce((a, b) => a + b, 0)));
    expect(losses[2]!).toBeLessThan(losses[0]!);
    adam.dispose();
    mask.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('rejects a non-positive learning rate', () => {
    expect(() => new MaskedAdam({ lr: 0 })).toThrow(/lr must be > 0/);
  });
});
