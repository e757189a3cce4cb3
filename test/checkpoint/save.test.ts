import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { generateCheckpoint } from '../../src/checkpoint/generate.js';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { readSafetensorsHeader } from '../../src/checkpoint/safetensors.js';
import { saveCheckpoint } from '../../src/checkpoint/save.js';
import { expectCheckpointError, shardWeights, useTempDir } from './helpers.js';

const tmp = useTempDir();

describe('saveCheckpoint', () => {
  test('writes tensors in the standard order with HF metadata, and nothing else', () => {
    const { rawConfig, weights } = generateCheckpoint(join(tmp.path, 'src'), { seed: 1, config: { num_hidden_layers: 2 } });
    const shuffled = new Map([...weights].reverse());
    const dir = join(tmp.path, 'out');
    saveCheckpoint(dir, { config: rawConfig, weights: shuffled, dtype: 'BF16', extraFiles: { 'generation_config.json': '{}' } });
    const header = readSafetensorsHeader(join(dir, 'model.safetensors'));
    const names = [...header.entries.keys()];
    expect(names[0]).toBe('model.embed_tokens.weight');
    expect(names.slice(1, 10).every((n) => n.startsWith('model.layers.0.'))).toBe(true);
    expect(names.slice(10, 19).every((n) => n.startsWith('model.layers.1.'))).toBe(true);
    expect(names.slice(19)).toEqual(['model.norm.weight', 'lm_head.weight']);
    expect(header.metadata).toEqual({ format: 'pt' });
    expect([...header.entries.values()].every((e) => e.dtype === 'BF16')).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'generation_config.json', 'model.safetensors']);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual(rawConfig);
  });

  test('overwriting a sharded checkpoint removes the stale index', () => {
    const { rawConfig, weights } = generateCheckpoint(tmp.path, { seed: 1 });
    shardWeights(tmp.path, 2);
    saveCheckpoint(tmp.path, { config: rawConfig, weights });
    expect(existsSync(join(tmp.path, 'model.safetensors.index.json'))).toBe(false);
    expect(loadCheckpoint(tmp.path).weights).toEqual(weights);
  });

  test('an invalid config or a missing / misshapen weight writes nothing and keeps the old checkpoint', () => {
    const { rawConfig, weights } = generateCheckpoint(tmp.path, { seed: 1 });
    const before = readFileSync(join(tmp.path, 'model.safetensors'));
    expectCheckpointError(
      () => saveCheckpoint(tmp.path, { config: { ...rawConfig, num_attention_heads: 5 }, weights }),
      /config\.json \(hidden_size\): hidden_size 32 is not divisible by num_attention_heads 5/,
    );
    const missing = new Map(weights);
    missing.delete('model.norm.weight');
    expectCheckpointError(() => saveCheckpoint(tmp.path, { config: rawConfig, weights: missing }), /model\.safetensors \(model\.norm\.weight\): weight to save is missing/);
    const misshapen = new Map(weights).set('model.norm.weight', { shape: [32], data: new Float32Array(31) });
    expectCheckpointError(
      () => saveCheckpoint(tmp.path, { config: rawConfig, weights: misshapen }),
      /\(model\.norm\.weight\): expected shape \[32\], got shape \[32\] with 31 values/,
    );
    expectCheckpointError(
      () => saveCheckpoint(tmp.path, { config: rawConfig, weights, extraFiles: { '../evil.json': '{}' } }),
      /evil\.json: extra file name must be a plain file name/,
    );
    expect(readFileSync(join(tmp.path, 'model.safetensors'))).toEqual(before);
    expect(readdirSync(tmp.path).sort()).toEqual(['config.json', 'model.safetensors']);
  });
});
