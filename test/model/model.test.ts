import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeAll } from '../../src/engine/tfjs/model.js';
import { tinyModel } from '../helpers/tiny.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('LlamaModel', () => {
  it('owns its tensors: logits, windowNll and lossAndGrads leave numTensors unchanged', async () => {
    const { model } = tinyModel(5);
    const before = tf.memory().numTensors;
    const w = [[256, 1, 2, 3], [256, 4, 5, 6]];
    await model.logits(w);
    await model.windowNll(w);
    disposeAll((await model.lossAndGrads(w)).grads);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('sum-of-window-means is batch × mean for equal-length windows', async () => {
    const { model } = tinyModel(6);
    const w = [[256, 1, 2, 3], [256, 4, 5, 6], [256, 7, 8, 9]];
    const a = await model.lossAndGrads(w, 'mean');
    const b = await model.lossAndGrads(w, 'sum-of-window-means');
    expect(b.loss).toBeCloseTo(3 * a.loss, 5);
    disposeAll(a.grads);
    disposeAll(b.grads);
    model.dispose();
  });

  it('rejects token ids outside the vocabulary and ragged batches with clear errors', async () => {
    const { model } = tinyModel(7);
    await expect(model.logits([[256, 999]])).rejects.toThrow(/token id 999 at window 0, position 1 is outside the vocabulary \[0, 258\)/);
    await expect(model.logits([[256, 1], [256, 1, 2]])).rejects.toThrow(/equal length/);
    await expect(model.windowNll([[256]])).rejects.toThrow(/at least 2 tokens/);
    expect(() => model.weight('nope')).toThrow(/no weight named nope/);
    model.dispose();
  });

  it('overlay views the replacements and shares the rest, leaving the model as it was; refuses a wrong size or name', async () => {
    const { model } = tinyModel(8);
    const name = 'model.norm.weight';
    const orig = model.weight(name);
    const tensors = tf.memory().numTensors;
    const view = model.overlay(new Map([[name, new Float32Array(orig.size)]]));
    expect(await view.model.readWeight(name)).toEqual(new Float32Array(orig.size));
    expect(view.model.weight('lm_head.weight')).toBe(model.weight('lm_head.weight'));
    expect(model.weight(name)).toBe(orig);
    expect(() => view.model.dispose()).toThrow(/overlay/);
    view.release();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(() => model.overlay(new Map([[name, new Float32Array(3)]]))).toThrow(/replacement has 3/);
    expect(() => model.overlay(new Map([['nope', new Float32Array(3)]]))).toThrow(/no weight named nope/);
    model.dispose();
  });
});
