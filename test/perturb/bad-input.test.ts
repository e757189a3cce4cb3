import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlamaModel } from '../../src/engine/tfjs/model.js';
import {
  perturbDimension,
  perturbNorm,
  PerturbationError,
  scaleParameter,
  withPerturbation,
  zeroRegion,
} from '../../src/perturb/index.js';
import { tinyModel } from '../helpers/tiny.js';
import { expectRestored, regionOf, snapshot } from './helpers.js';

let model: LlamaModel;
let other: LlamaModel; // hidden 16 instead of 32

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = tinyModel(13).model;
  other = tinyModel(13, { hidden_size: 16 }).model;
});
afterAll(() => {
  model.dispose();
  other.dispose();
});

/** Runs a perturbation that must fail: the error is a PerturbationError with this message, nothing changed. */
async function expectRejected(p: unknown, message: string | RegExp): Promise<void> {
  const before = snapshot(model);
  const tensors = tf.memory().numTensors;
  const run = withPerturbation(model, p as never, () => 'ran');
  await expect(run).rejects.toThrow(PerturbationError);
  await expect(run).rejects.toThrow(message);
  expect(tf.memory().numTensors).toBe(tensors);
  expectRestored(model, before);
}

const DOWN = 'model.layers.1.mlp.down_proj.weight';

describe('bad perturbations fail with a clear error and leave the model as it was', () => {
  it('an unknown weight name lists the closest names', async () => {
    await expectRejected(
      scaleParameter({ tensor: 'model.layers.1.mlp.down_proj.weigth', index: [0, 0], factor: 4 }),
      'perturbation (×4 on model.layers.1.mlp.down_proj.weigth[0, 0]): no weight named "model.layers.1.mlp.down_proj.weigth" ' +
        '(closest: model.layers.1.mlp.down_proj.weight, model.layers.0.mlp.down_proj.weight, model.layers.1.mlp.gate_proj.weight)',
    );
  });

  it('an index outside the shape gives the shape', async () => {
    await expectRejected(scaleParameter({ tensor: DOWN, index: [0, 64], factor: 4 }), `index [0, 64] is outside ${DOWN}, whose shape is [32, 64]`);
    await expectRejected(scaleParameter({ tensor: DOWN, index: [-1, 0], factor: 4 }), `index [-1, 0] is outside ${DOWN}, whose shape is [32, 64]`);
    await expectRejected(scaleParameter({ tensor: DOWN, index: 2048, factor: 4 }), `flat index 2048 is outside ${DOWN}, whose shape is [32, 64] (2048 entries)`);
    await expectRejected(scaleParameter({ tensor: DOWN, index: [1, 2, 3], factor: 4 }), `index [1, 2, 3] has 3 coordinates but ${DOWN} has shape [32, 64] (rank 2)`);
  });

  it('a layer or hidden dim out of range gives the range', async () => {
    await expectRejected(perturbDimension({ layer: 2, dim: 0, op: { type: 'set', value: 0 } }), 'layer 2 is outside [0, 2) (the model has 2 layers)');
    await expectRejected(perturbDimension({ layer: 0, dim: 32, op: { type: 'set', value: 0 } }), 'hidden dim 32 is outside [0, 32) (hidden_size 32)');
    await expectRejected(
      perturbNorm({ norm: 'input_layernorm', layer: -1, dim: 0, op: { type: 'set', value: 0 } }),
      'layer -1 is outside [0, 2) (the model has 2 layers)',
    );
    await expectRejected(perturbNorm({ norm: 'model.norm', dim: 40, op: { type: 'set', value: 0 } }), 'hidden dim 40 is outside [0, 32) (hidden_size 32)');
  });

  it('a region selected on a model of another shape names the weight and both shapes', async () => {
    const foreign = regionOf(other, { 'model.layers.0.self_attn.q_proj.weight': [1, 2] });
    await expectRejected(
      zeroRegion(foreign),
      "the custom region's mask for model.layers.0.self_attn.q_proj.weight has shape [16, 16] but the model's weight has [32, 32]: " +
        'the region was selected on a model of another shape',
    );
    const unknown = regionOf(model, { 'lm_head.weight': [1] });
    unknown.masks.set('model.layers.7.mlp.up_proj.weight', { shape: [64, 32], data: new Uint8Array(64 * 32) });
    await expectRejected(zeroRegion(unknown), /the custom region has a mask for a weight the model lacks: no weight named "model.layers.7.mlp.up_proj.weight" \(closest: model.layers.0.mlp.up_proj.weight/);
    const short = regionOf(model, { 'lm_head.weight': [1] });
    short.masks.set('lm_head.weight', { shape: [258, 32], data: new Uint8Array(10) });
    await expectRejected(zeroRegion(short), "the custom region's mask for lm_head.weight holds 10 entries, but shape [258, 32] has 8256");
  });

  it('malformed data is rejected at the boundary, naming the field', async () => {
    await expectRejected({ kind: 'rotate', tensor: DOWN }, /invalid perturbation: kind: /);
    await expectRejected({ kind: 'parameter', tensor: DOWN, index: [0, 0] }, /invalid perturbation: op: /);
    await expectRejected({ kind: 'parameter', tensor: DOWN, index: [0.5, 0], op: { type: 'scale', factor: 4 } }, /invalid perturbation: index/);
    await expectRejected({ kind: 'parameter', tensor: DOWN, index: [0, 0], op: { type: 'scale', factor: Number.NaN } }, /invalid perturbation: op.factor: /);
    await expectRejected({ kind: 'parameter', tensor: DOWN, index: [0, 0], op: { type: 'scale', facter: 4 } }, /invalid perturbation: op/);
    await expectRejected({ kind: 'norm', norm: 'input_layernorm', dim: 0, op: { type: 'set', value: 0 } }, /invalid perturbation: layer: give layer for a layer's norm \(input_layernorm, post_attention_layernorm, pre_feedforward_layernorm, post_feedforward_layernorm\), and none for model\.norm/);
    await expectRejected({ kind: 'noise', tensor: DOWN, std: -1, seed: 0 }, /invalid perturbation: std: /);
    await expectRejected({ kind: 'dimension', layer: 0, dim: 0, tensors: ['w_proj'], op: { type: 'set', value: 0 } }, /invalid perturbation: tensors.0: /);
  });

  it('in a list, the failing one is named by its position', async () => {
    await expectRejected(
      [scaleParameter({ tensor: DOWN, index: 0, factor: 2 }), { kind: 'parameter', tensor: DOWN }],
      /^perturbation 2 of 2: invalid perturbation: index: /,
    );
  });
});
