/** Whole FFN neurons as a region: rows of gate_proj and up_proj, columns of down_proj; bad coordinates are errors. */
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../src/checkpoint/config.js';
import { neuronRegion, regionSize } from '../../src/regions/index.js';

const config = parseModelConfig({
  architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 32, hidden_size: 4, intermediate_size: 6,
  num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 16, rms_norm_eps: 1e-5, rope_theta: 10000,
});

describe('neuronRegion', () => {
  it('holds neuron j of layer ℓ: row j of gate_proj and up_proj, column j of down_proj, nothing else', () => {
    const r = neuronRegion(config, [{ layer: 1, neuron: 2 }, { layer: 1, neuron: 2 }, { layer: 0, neuron: 5 }], 'ru');
    expect(r.kind).toBe('neurons:ru');
    expect(r.fraction).toBeCloseTo(2 / 12, 12);
    expect([...r.masks.keys()].sort()).toEqual([
      'model.layers.0.mlp.down_proj.weight', 'model.layers.0.mlp.gate_proj.weight', 'model.layers.0.mlp.up_proj.weight',
      'model.layers.1.mlp.down_proj.weight', 'model.layers.1.mlp.gate_proj.weight', 'model.layers.1.mlp.up_proj.weight',
    ]);
    const gate = r.masks.get('model.layers.1.mlp.gate_proj.weight')!; // [ffn 6, d 4]
    expect(gate.shape).toEqual([6, 4]);
    expect([...gate.data]).toEqual([...Array(24).keys()].map((i) => (Math.floor(i / 4) === 2 ? 1 : 0)));
    const down = r.masks.get('model.layers.0.mlp.down_proj.weight')!; // [d 4, ffn 6]
    expect([...down.data]).toEqual([...Array(24).keys()].map((i) => (i % 6 === 5 ? 1 : 0)));
    expect(regionSize(r)).toBe(2 * 3 * 4); // two neurons × three matrices × d entries
  });

  it('refuses a layer or neuron the model does not have', () => {
    expect(() => neuronRegion(config, [{ layer: 2, neuron: 0 }], 'ru')).toThrow('neuronRegion: layer 2 is not a layer of this model (0–1)');
    expect(() => neuronRegion(config, [{ layer: 0, neuron: 6 }], 'ru')).toThrow('neuronRegion: neuron 6 is not an FFN neuron of this model (0–5)');
  });
});
