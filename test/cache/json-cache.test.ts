/**
 * The JSON result cache: keyed by cacheKey, atomic, non-finite numbers survive, and a write that fails is a
 * warning that keeps the computed result (minutes of work are not thrown away for a full disk).
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { JsonCache } from '../../src/cache/json-cache.js';
import { windowsHash, type CacheKeyInputs } from '../../src/cache/key.js';
import { cachedImportance } from '../../src/importance/cache.js';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { OrtModel } from '../../src/engine/onnx/ort-model.js';

const inputs: CacheKeyInputs = { computation: 'perplexity', checkpoint: 'c', windows: windowsHash([[1, 2]]), engine: { name: 'ort-cpu', device: 'test' }, settings: {} };

describe('JsonCache', () => {
  it('reads back what it wrote, Infinity and NaN included; another key misses', async () => {
    const cache = new JsonCache(mkdtempSync(join(tmpdir(), 'regions-json-')));
    cache.write(inputs, { a: Infinity, b: NaN, c: 1 });
    expect(cache.read(inputs)).toEqual({ a: Infinity, b: NaN, c: 1 });
    expect(cache.read({ ...inputs, settings: { batchSize: 2 } })).toBeUndefined();
    expect(readdirSync(cache.dir)).toEqual([expect.stringMatching(/^perplexity-[0-9a-f]{64}\.json$/)]);
  });

  it('a write that fails is a warning naming the file; getOrCompute still returns the computed value', async () => {
    const root = mkdtempSync(join(tmpdir(), 'regions-json-'));
    writeFileSync(join(root, 'results'), 'a file where the cache folder should be');
    const warn = vi.fn();
    const cache = new JsonCache(join(root, 'results'), true, warn);
    await expect(cache.getOrCompute(inputs, async () => 42)).resolves.toBe(42);
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]![0]).toMatch(new RegExp(`could not write the cache file ${join(root, 'results')}/perplexity-[0-9a-f]+\\.json .*; the result is used but not cached`));
  });
});

describe('cachedImportance', () => {
  it('a cache write that fails is a warning; the computed map is returned', async () => {
    const dir = join(import.meta.dirname, '../fixtures/reference/llama-gqa');
    const ckpt = loadCheckpoint(dir);
    const model = new OrtModel(ckpt.config, ckpt.weights, { threads: 1 });
    const root = mkdtempSync(join(tmpdir(), 'regions-imp-'));
    writeFileSync(join(root, 'importance'), 'not a folder');
    const warn = vi.fn();
    try {
      const r = await cachedImportance(model, { language: 'xx', checkpointHash: 'h', windows: [[1, 5, 9, 3]] }, { cacheDir: join(root, 'importance'), warn });
      expect(r).toMatchObject({ source: 'computed', file: null });
      expect(r.map.scores.size).toBeGreaterThan(0);
      expect(warn.mock.calls[0]![0]).toMatch(/could not write the importance cache file .*; the map is used but not cached/);
    } finally {
      await model.release();
    }
  });
});
