/** saveImportance refuses scores that loadImportance would refuse: nothing non-finite or negative reaches the disk (or the cache). */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadImportance, saveImportance } from '../../src/importance/io.js';
import type { ImportanceMap } from '../../src/importance/types.js';

const map = (bad?: number): ImportanceMap => ({
  languages: ['en'],
  scores: new Map([
    ['model.norm.weight', { shape: [4], data: Float32Array.from([0, 1, 2, 3]) }],
    ['model.layers.0.mlp.down_proj.weight', { shape: [2, 3], data: Float32Array.from([0.5, 0.25, bad ?? 1, 2, 4, 8]) }],
  ]),
  provenance: { checkpoint: 'abc' },
});

describe('saveImportance', () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1])('refuses a score of %s, naming the file, the tensor and the index, and writes nothing', (bad) => {
    const file = join(mkdtempSync(join(tmpdir(), 'regions-imp-io-')), 'en.safetensors');
    expect(() => saveImportance(file, map(bad))).toThrow(`${file} (model.layers.0.mlp.down_proj.weight): score at flat index 2 is ${bad}; importance is finite and ≥ 0`);
    expect(existsSync(file)).toBe(false);
  });

  it('leaves a good file in place when the new map is refused', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'regions-imp-io-')), 'en.safetensors');
    saveImportance(file, map());
    const before = readFileSync(file);
    expect(() => saveImportance(file, map(Number.NaN))).toThrow(/score at flat index 2 is NaN/);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(loadImportance(file)).toEqual(map());
  });
});
