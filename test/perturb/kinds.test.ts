import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlamaModel } from '../../src/engine/tfjs/model.js';
import {
  addNoise,
  addToParameter,
  describe as describePerturbation,
  hiddenAxis,
  perturbDimension,
  perturbNorm,
  scaleParameter,
  setParameter,
  withPerturbation,
  zeroRegion,
  type Perturbation,
  type PerturbationInput,
} from '../../src/perturb/index.js';
import { tinyModel } from '../helpers/tiny.js';
import { changedEntries, regionOf, snapshot, type Snapshot } from './helpers.js';

let model: LlamaModel;
beforeAll(async () => {
  await tf.setBackend('cpu');
  model = tinyModel(12).model;
});
afterAll(() => model.dispose());

/** The snapshot of the model while perturbed, and the entries that differ from the original. */
async function perturbedView(p: PerturbationInput | PerturbationInput[]): Promise<{ before: Snapshot; during: Snapshot; changed: Map<string, number[]> }> {
  const before = snapshot(model);
  const during = await withPerturbation(model, p, (m) => snapshot(m));
  return { before, during, changed: changedEntries(before, during) };
}

const value = (s: Snapshot, name: string, i: number): number => new Float32Array(s.bits.get(name)!.buffer)[i]!;
const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

// The tiny model: hidden 32, 2 layers, 4 heads of 8, intermediate 64, vocab 258.
describe('each kind changes exactly its entries, by exactly its op', () => {
  it('parameter: [row, col] and flat index address the same entry; scale, set and add', async () => {
    const name = 'model.layers.1.mlp.down_proj.weight'; // [32, 64]
    const { before, during, changed } = await perturbedView([
      scaleParameter({ tensor: name, index: [21, 17], factor: 4 }),
      setParameter({ tensor: name, index: 3 * 64 + 5, value: 0.5 }),
      addToParameter({ tensor: 'model.layers.0.input_layernorm.weight', index: [9], delta: -0.25 }),
    ]);
    expect([...changed]).toEqual([
      ['model.layers.0.input_layernorm.weight', [9]],
      [name, [3 * 64 + 5, 21 * 64 + 17]],
    ]);
    expect(value(during, name, 21 * 64 + 17)).toBe(Math.fround(4 * value(before, name, 21 * 64 + 17)));
    expect(value(during, name, 3 * 64 + 5)).toBe(0.5);
    expect(value(during, 'model.layers.0.input_layernorm.weight', 9)).toBe(0.75);
  });

  it('dimension: a ROW of o_proj/down_proj (writers), a COLUMN of q/k/v/gate/up (readers)', async () => {
    const dim = 6;
    const { before, during, changed } = await perturbedView(
      perturbDimension({ layer: 1, dim, tensors: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], op: { type: 'scale', factor: 3 } }),
    );
    const attn = (m: string) => `model.layers.1.self_attn.${m}.weight`;
    const mlp = (m: string) => `model.layers.1.mlp.${m}.weight`;
    expect(changed).toEqual(
      new Map([
        [attn('q_proj'), range(32, (i) => i * 32 + dim)], // [32, 32]: column 6
        [attn('k_proj'), range(32, (i) => i * 32 + dim)],
        [attn('v_proj'), range(32, (i) => i * 32 + dim)],
        [attn('o_proj'), range(32, (j) => dim * 32 + j)], // [32, 32]: row 6
        [mlp('gate_proj'), range(64, (i) => i * 32 + dim)], // [64, 32]: column 6
        [mlp('up_proj'), range(64, (i) => i * 32 + dim)],
        [mlp('down_proj'), range(64, (j) => dim * 64 + j)], // [32, 64]: row 6
      ]),
    );
    for (const [name, entries] of changed) {
      for (const i of entries) expect(value(during, name, i)).toBe(Math.fround(3 * value(before, name, i)));
    }
  });

  it('dimension: defaults to the residual writers o_proj and down_proj', async () => {
    const { changed } = await perturbedView(perturbDimension({ layer: 0, dim: 0, op: { type: 'set', value: 0 } }));
    expect([...changed.keys()]).toEqual(['model.layers.0.self_attn.o_proj.weight', 'model.layers.0.mlp.down_proj.weight']);
  });

  it('norm: one entry of a layer norm or of model.norm', async () => {
    const { during, changed } = await perturbedView([
      perturbNorm({ norm: 'post_attention_layernorm', layer: 1, dim: 31, op: { type: 'scale', factor: 4 } }),
      perturbNorm({ norm: 'model.norm', dim: 0, op: { type: 'set', value: -2 } }),
    ]);
    expect(changed).toEqual(new Map([['model.layers.1.post_attention_layernorm.weight', [31]], ['model.norm.weight', [0]]]));
    expect(value(during, 'model.layers.1.post_attention_layernorm.weight', 31)).toBe(4);
    expect(value(during, 'model.norm.weight', 0)).toBe(-2);
  });

  it('zero-region: exactly the masked entries become +0', async () => {
    const q = 'model.layers.0.self_attn.q_proj.weight';
    const { during, changed } = await perturbedView(zeroRegion(regionOf(model, { [q]: [0, 33, 1023], 'lm_head.weight': [7] })));
    expect(changed).toEqual(new Map([[q, [0, 33, 1023]], ['lm_head.weight', [7]]]));
    expect(during.bits.get(q)![33]).toBe(0);
  });

  it('noise: every entry moves, deterministically by seed, with about the asked std', async () => {
    const name = 'model.layers.0.mlp.up_proj.weight'; // 2048 entries
    const a = await perturbedView(addNoise({ tensor: name, std: 0.1, seed: 5 }));
    const b = await perturbedView(addNoise({ tensor: name, std: 0.1, seed: 5 }));
    const c = await perturbedView(addNoise({ tensor: name, std: 0.1, seed: 6 }));
    expect(a.changed.get(name)!.length).toBe(2048);
    expect(a.during.bits.get(name)).toEqual(b.during.bits.get(name));
    expect(a.during.bits.get(name)).not.toEqual(c.during.bits.get(name));
    const deltas = range(2048, (i) => value(a.during, name, i) - value(a.before, name, i));
    const std = Math.sqrt(deltas.reduce((s, x) => s + x * x, 0) / deltas.length);
    expect(std).toBeGreaterThan(0.09);
    expect(std).toBeLessThan(0.11);
  });

  it('dimension noise draws one value per entry of the dimension', async () => {
    const { changed } = await perturbedView(perturbDimension({ layer: 0, dim: 4, tensors: ['up_proj'], op: { type: 'noise', std: 1, seed: 1 } }));
    expect(changed.get('model.layers.0.mlp.up_proj.weight')).toEqual(range(64, (i) => i * 32 + 4));
  });
});

describe('describe', () => {
  it.each<[Perturbation, string]>([
    [scaleParameter({ tensor: 'model.layers.1.mlp.down_proj.weight', index: [2100, 17], factor: 4 }), '×4 on model.layers.1.mlp.down_proj.weight[2100, 17]'],
    [setParameter({ tensor: 'model.norm.weight', index: 5, value: 0 }), '= 0 on model.norm.weight[5]'],
    [addToParameter({ tensor: 'lm_head.weight', index: [1, 2], delta: -0.5 }), '− 0.5 on lm_head.weight[1, 2]'],
    [perturbDimension({ layer: 1, dim: 2100, op: { type: 'scale', factor: 4 } }), '×4 on layer 1 hidden dim 2100 (o_proj, down_proj)'],
    [perturbDimension({ layer: 0, dim: 3, tensors: ['q_proj'], op: { type: 'noise', std: 0.02, seed: 7 } }), '+ N(0, 0.02²) seed 7 on layer 0 hidden dim 3 (q_proj)'],
    [perturbNorm({ norm: 'input_layernorm', layer: 1, dim: 2100, op: { type: 'scale', factor: 4 } }), '×4 on model.layers.1.input_layernorm.weight[2100]'],
    [addNoise({ tensor: 'model.layers.0.mlp.up_proj.weight', std: 0.02, seed: 7 }), '+ N(0, 0.02²) seed 7 on model.layers.0.mlp.up_proj.weight'],
  ])('%j → %s', (p, text) => {
    expect(describePerturbation(p)).toBe(text);
  });

  it('names a region by kind, k, languages and size', () => {
    const region = { ...regionOf(model, { 'lm_head.weight': [1, 2, 3] }), kind: 'top' as const, languages: ['ar', 'zh'] };
    expect(describePerturbation(zeroRegion(region))).toBe('zero the top region (k = 1%, ar,zh): 3 entries in 1 weight');
  });
});

describe('hiddenAxis', () => {
  it.each([
    ['model.layers.3.self_attn.q_proj.weight', { axis: 1, role: 'reads', layer: 3 }],
    ['model.layers.3.mlp.up_proj.weight', { axis: 1, role: 'reads', layer: 3 }],
    ['model.layers.3.self_attn.o_proj.weight', { axis: 0, role: 'writes', layer: 3 }],
    ['model.layers.3.mlp.down_proj.weight', { axis: 0, role: 'writes', layer: 3 }],
    ['model.layers.3.mlp.down_proj.bias', { axis: 0, role: 'writes', layer: 3 }],
    ['model.layers.3.post_attention_layernorm.weight', { axis: 0, role: 'norm', layer: 3 }],
    ['model.embed_tokens.weight', { axis: 1, role: 'writes', layer: null }],
    ['lm_head.weight', { axis: 1, role: 'reads', layer: null }],
    ['model.layers.3.self_attn.q_proj.bias', null],
  ])('%s', (name, expected) => {
    expect(hiddenAxis(name)).toEqual(expected);
  });
});
