import { cpSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { generateCheckpoint } from '../../src/checkpoint/generate.js';
import { checkpointHash } from '../../src/checkpoint/hash.js';
import { editConfig, editTensor, expectCheckpointError, shardWeights, useTempDir } from './helpers.js';

const tmp = useTempDir();

/** Moves a file's mtime forward so a same-size rewrite within one clock tick is still seen as a change. */
function touchForward(file: string): void {
  const later = new Date(Date.now() + 60_000);
  utimesSync(file, later, later);
}

describe('checkpointHash', () => {
  test('is a stable sha256 hex that depends on content, not on where the folder is', () => {
    const a = join(tmp.path, 'a');
    generateCheckpoint(a, { seed: 1 });
    const hash = checkpointHash(a);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(checkpointHash(a)).toBe(hash);
    cpSync(a, join(tmp.path, 'b'), { recursive: true });
    expect(checkpointHash(join(tmp.path, 'b'))).toBe(hash);
    generateCheckpoint(join(tmp.path, 'c'), { seed: 2 });
    expect(checkpointHash(join(tmp.path, 'c'))).not.toBe(hash);
  });

  test('changes when a weight, the config or the tokenizer changes (the cache notices)', () => {
    generateCheckpoint(tmp.path, { seed: 1 });
    const h0 = checkpointHash(tmp.path);
    editTensor(tmp.path, 'model.norm.weight', (data) => {
      data[0] = 2;
    });
    touchForward(join(tmp.path, 'model.safetensors'));
    const h1 = checkpointHash(tmp.path);
    expect(h1).not.toBe(h0);
    editConfig(tmp.path, { rms_norm_eps: 1e-5 });
    const h2 = checkpointHash(tmp.path);
    expect(h2).not.toBe(h1);
    writeFileSync(join(tmp.path, 'tokenizer.json'), '{}');
    expect(checkpointHash(tmp.path)).not.toBe(h2);
  });

  test('covers sharded weights', () => {
    generateCheckpoint(tmp.path, { seed: 1 });
    shardWeights(tmp.path, 2);
    const h0 = checkpointHash(tmp.path);
    writeFileSync(join(tmp.path, 'model-00002-of-00002.safetensors'), 'changed');
    expect(checkpointHash(tmp.path)).not.toBe(h0);
  });

  test('refuses a folder without config.json or weights', () => {
    generateCheckpoint(tmp.path, { seed: 1 });
    rmSync(join(tmp.path, 'config.json'));
    expectCheckpointError(() => checkpointHash(tmp.path), /config\.json: config\.json is missing/);
    rmSync(join(tmp.path, 'model.safetensors'));
    expectCheckpointError(() => checkpointHash(tmp.path), /no model\.safetensors/);
  });
});
