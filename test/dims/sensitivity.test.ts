import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCheckpoint } from '../../src/checkpoint/generate.js';
import { dimensionSensitivity, sensitivityPerturbation, type SensitivityTarget } from '../../src/dims/sensitivity.js';
import { LlamaModel } from '../../src/engine/tfjs/model.js';
import { describe as describePerturbation, PerturbationError, withPerturbation } from '../../src/perturb/index.js';
import { expectRestored, snapshot } from '../perturb/helpers.js';

const WINDOWS = [
  [256, 84, 104, 101, 32, 99, 97, 116],
  [256, 115, 97, 116, 32, 111, 110, 32],
];

let model: LlamaModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // Synthetic instrument: embedding column 7 = 30 for every token, so dim 7 dominates the residual stream.
  const ckpt = generateCheckpoint(mkdtempSync(join(tmpdir(), 'regions-dims-')), { seed: 31, tokenizer: 'bytes' });
  const embed = ckpt.weights.get('model.embed_tokens.weight')!; // [258, 32]
  for (let id = 0; id < embed.shape[0]!; id++) embed.data[id * 32 + 7] = 30;
  model = LlamaModel.fromWeights(ckpt.config, ckpt.weights);
});
afterAll(() => model.dispose());

/** Mean next-token NLL (nats) over the windows. */
async function meanNll(m: LlamaModel): Promise<number> {
  const w = await m.windowNll(WINDOWS);
  return w.reduce((s, x) => s + x.nllSum, 0) / w.reduce((s, x) => s + x.tokens, 0);
}

/** Root mean square of the logits: a measurement that any change of the forward pass moves. */
async function logitRms(m: LlamaModel): Promise<number> {
  const logits = await m.logits(WINDOWS);
  return Math.sqrt(logits.reduce((s, x) => s + x * x, 0) / logits.length);
}

describe('dimensionSensitivity', () => {
  it('measures the baseline once and each dim under its own ×4, in order, restoring the model', async () => {
    const before = snapshot(model);
    const tensors = tf.memory().numTensors;
    let calls = 0;
    const evaluate = (m: LlamaModel) => {
      calls++;
      return meanNll(m);
    };
    const result = await dimensionSensitivity(model, evaluate, { layer: 1, dims: [7, 3, 30] });
    expect(calls).toBe(4);
    expect(tf.memory().numTensors).toBe(tensors);
    expectRestored(model, before);
    expect(result).toMatchObject({ layer: 1, factor: 4, target: { tensor: 'post_attention_layernorm' } });
    expect(result.baseline).toBe(await meanNll(model));
    expect(result.effects.map((e) => e.dim)).toEqual([7, 3, 30]);
    for (const e of result.effects) {
      expect(e.description).toBe(`×4 on model.layers.1.post_attention_layernorm.weight[${e.dim}]`);
      expect(e.value).toBe(await withPerturbation(model, e.perturbation, meanNll));
      expect(e.ratio).toBe(e.value / result.baseline);
    }
  });

  it.each<[SensitivityTarget, string]>([
    [{ tensor: 'input_layernorm' }, 'model.layers.0.input_layernorm.weight[7]'],
    [{ tensor: 'post_attention_layernorm' }, 'model.layers.0.post_attention_layernorm.weight[7]'],
    [{ tensor: 'down_proj', column: 5 }, 'model.layers.0.mlp.down_proj.weight[7, 5]'],
    [{ tensor: 'o_proj', column: 9 }, 'model.layers.0.self_attn.o_proj.weight[7, 9]'],
    [{ tensor: 'up_proj', row: 11 }, 'model.layers.0.mlp.up_proj.weight[11, 7]'],
    [{ tensor: 'q_proj', row: 2 }, 'model.layers.0.self_attn.q_proj.weight[2, 7]'],
  ])('target %j scales %s', (target, where) => {
    expect(describePerturbation(sensitivityPerturbation(0, 7, target, 4))).toBe(`×4 on ${where}`);
  });

  it.each<[SensitivityTarget]>([[{ tensor: 'input_layernorm' }], [{ tensor: 'post_attention_layernorm' }], [{ tensor: 'v_proj', row: 0 }]])(
    '%j: ×4 at the dominant dim 7 moves the output far more than at an ordinary dim 3 (the paper\'s 2100 vs 4200, in miniature)',
    async (target) => {
      const { baseline, effects } = await dimensionSensitivity(model, logitRms, { layer: 0, dims: [7, 3], target });
      const [massive, ordinary] = effects.map((e) => Math.abs(e.value - baseline));
      expect(massive).toBeGreaterThan(10 * ordinary!);
    },
  );

  it('rejects a layer or dim outside the model before measuring anything', async () => {
    let calls = 0;
    const evaluate = () => ++calls;
    await expect(dimensionSensitivity(model, evaluate, { layer: 2, dims: [0] })).rejects.toThrow(PerturbationError);
    await expect(dimensionSensitivity(model, evaluate, { layer: 0, dims: [1, 32] })).rejects.toThrow(
      'perturbation 2 of 2 (×4 on model.layers.0.post_attention_layernorm.weight[32]): hidden dim 32 is outside [0, 32) (hidden_size 32)',
    );
    await expect(dimensionSensitivity(model, evaluate, { layer: 0, dims: [1], target: { tensor: 'down_proj', column: 64 } })).rejects.toThrow(
      'index [1, 64] is outside model.layers.0.mlp.down_proj.weight, whose shape is [32, 64]',
    );
    await expect(dimensionSensitivity(model, evaluate, { layer: 0, dims: [] })).rejects.toThrow(/^dimensionSensitivity: dims: /);
    await expect(
      dimensionSensitivity(model, evaluate, { layer: 0, dims: [1], target: { tensor: 'down_proj' } as unknown as SensitivityTarget }),
    ).rejects.toThrow(/^dimensionSensitivity: target/);
    expect(calls).toBe(0);
  });
});
