import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { copyFileSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { generateCheckpoint } from '../../src/checkpoint/generate.js';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { editWeights, shardWeights, useTempDir } from './helpers.js';

const tmp = useTempDir();

describe('loadCheckpoint', () => {
  test.each(['F32', 'BF16', 'F16'] as const)('loads a generated %s checkpoint exactly as generated', (dtype) => {
    const generated = generateCheckpoint(tmp.path, { seed: 1, dtype });
    const ckpt = loadCheckpoint(tmp.path);
    expect(ckpt.config).toEqual(generated.config);
    expect([...ckpt.weights.keys()]).toEqual([...generated.weights.keys()]);
    for (const [name, w] of generated.weights) expect(ckpt.weights.get(name), name).toEqual(w);
    expect(ckpt.weightFiles).toEqual([join(tmp.path, 'model.safetensors')]);
    expect(ckpt.tokenizerFile).toBeNull();
    expect(ckpt.nonFinite).toEqual([]);
    expect(ckpt.ignoredTensors).toEqual([]);
  });

  test('the weights have the expected statistics: norms 1, the rest ~N(0, 0.02)', () => {
    const { weights } = generateCheckpoint(tmp.path, { seed: 3 });
    expect(Array.from(weights.get('model.norm.weight')!.data).every((x) => x === 1)).toBe(true);
    const w = weights.get('model.embed_tokens.weight')!.data;
    const mean = w.reduce((s, x) => s + x, 0) / w.length;
    const std = Math.sqrt(w.reduce((s, x) => s + (x - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.022);
  });

  test('a sharded checkpoint loads the same as the single file', () => {
    generateCheckpoint(tmp.path, { seed: 2, config: { model_type: 'qwen2', num_key_value_heads: 2 } });
    const single = loadCheckpoint(tmp.path);
    shardWeights(tmp.path, 3);
    const sharded = loadCheckpoint(tmp.path);
    expect(sharded.weights).toEqual(single.weights);
    expect(sharded.weightFiles.map((f) => f.slice(tmp.path.length + 1))).toEqual([
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
    ]);
  });

  test('model.safetensors wins over an index when both exist (as in HF transformers)', () => {
    const a = generateCheckpoint(join(tmp.path, 'a'), { seed: 2 });
    const b = join(tmp.path, 'b');
    generateCheckpoint(b, { seed: 3 });
    shardWeights(b, 2);
    copyFileSync(join(tmp.path, 'a', 'model.safetensors'), join(b, 'model.safetensors'));
    expect(loadCheckpoint(b).weights).toEqual(a.weights);
  });

  test('tied embeddings: a stored lm_head.weight is ignored, and the model uses the embedding', () => {
    generateCheckpoint(tmp.path, { seed: 4, config: { tie_word_embeddings: true } });
    editWeights(tmp.path, (tensors) => [
      ...tensors,
      { name: 'lm_head.weight', dtype: 'F32', shape: [64, 32], data: new Float32Array(64 * 32).fill(9) },
    ]);
    const ckpt = loadCheckpoint(tmp.path);
    expect(ckpt.config.tieWordEmbeddings).toBe(true);
    expect(ckpt.weights.has('lm_head.weight')).toBe(false);
    expect(ckpt.ignoredTensors).toEqual(['lm_head.weight']);
  });

  test('extra tensors (rotary_emb.inv_freq) are ignored', () => {
    generateCheckpoint(tmp.path, { seed: 5 });
    editWeights(tmp.path, (tensors) => [
      { name: 'model.layers.0.self_attn.rotary_emb.inv_freq', dtype: 'F32', shape: [4], data: new Float32Array(4) },
      ...tensors,
    ]);
    const ckpt = loadCheckpoint(tmp.path);
    expect(ckpt.ignoredTensors).toEqual(['model.layers.0.self_attn.rotary_emb.inv_freq']);
    expect(ckpt.weights.has('model.layers.0.self_attn.rotary_emb.inv_freq')).toBe(false);
  });

  test('mistral and qwen2 (biases, grouped-query attention) load', () => {
    generateCheckpoint(tmp.path, { seed: 6, config: { model_type: 'qwen2', num_key_value_heads: 1 } });
    const qwen = loadCheckpoint(tmp.path);
    expect(qwen.weights.get('model.layers.1.self_attn.k_proj.bias')!.shape).toEqual([8]);
    expect(qwen.weights.get('model.layers.1.self_attn.k_proj.weight')!.shape).toEqual([8, 32]);
    generateCheckpoint(tmp.path, { seed: 6, config: { model_type: 'mistral', sliding_window: 16 } });
    expect(loadCheckpoint(tmp.path).config.layerWindows).toEqual([16, 16]);
  });

  test('reports progress once per weight', () => {
    generateCheckpoint(tmp.path, { seed: 7 });
    const calls: [number, number][] = [];
    const ckpt = loadCheckpoint(tmp.path, { onProgress: (done, total) => calls.push([done, total]) });
    const n = ckpt.weights.size;
    expect(n).toBe(1 + 2 * 9 + 2);
    expect(calls).toEqual(Array.from({ length: n }, (_, i) => [i + 1, n]));
  });
});

describe('generateCheckpoint', () => {
  test('is deterministic in the seed', () => {
    const a = generateCheckpoint(join(tmp.path, 'a'), { seed: 11 });
    const b = generateCheckpoint(join(tmp.path, 'b'), { seed: 11 });
    const c = generateCheckpoint(join(tmp.path, 'c'), { seed: 12 });
    expect(readFileSync(join(tmp.path, 'a', 'model.safetensors'))).toEqual(readFileSync(join(tmp.path, 'b', 'model.safetensors')));
    expect(a.weights).toEqual(b.weights);
    expect(c.weights.get('model.embed_tokens.weight')).not.toEqual(a.weights.get('model.embed_tokens.weight'));
  });

  test("tokenizer 'bytes' writes a tokenizer.json where token id = byte", () => {
    const generated = generateCheckpoint(tmp.path, { seed: 1, tokenizer: 'bytes' });
    expect(generated.config.vocabSize).toBe(258);
    const ckpt = loadCheckpoint(tmp.path);
    expect(ckpt.tokenizerFile).toBe(join(tmp.path, 'tokenizer.json'));
    const tokenizer = new Tokenizer(JSON.parse(readFileSync(ckpt.tokenizerFile!, 'utf8')), {});
    const text = 'Hé 你好\n';
    const ids = tokenizer.encode(text).ids;
    expect(ids).toEqual([...Buffer.from(text, 'utf8')]);
    expect(tokenizer.decode(ids)).toBe(text);
    expect(tokenizer.encode('<s>a</s>').ids).toEqual([256, 97, 257]);
  });
});
