/**
 * The one cache key (src/cache/key.ts): every input that changes a result changes the key; the order a
 * caller builds its settings in does not.
 */
import { describe, expect, it } from 'vitest';
import { cacheKey, REVISIONS, windowsHash, type CacheKeyInputs } from '../../src/cache/key.js';
import { ortDevice, plannedEngine } from '../../src/engine/select.js';

const base: CacheKeyInputs = {
  computation: 'perplexity',
  checkpoint: 'a'.repeat(64),
  windows: windowsHash([[256, 1, 2, 3]]),
  engine: { name: 'ort-cpu', device: ortDevice('cpu', 2, '1.30.0') },
  settings: { language: 'en', batchSize: 8 },
};

describe('cacheKey', () => {
  it('changes with every input that changes a result', () => {
    const variants: [string, CacheKeyInputs][] = [
      ['computation', { ...base, computation: 'detect' }],
      ['checkpoint', { ...base, checkpoint: 'b'.repeat(64) }],
      ['windows: one token more', { ...base, windows: windowsHash([[256, 1, 2, 3, 4]]) }],
      ['windows: another BOS', { ...base, windows: windowsHash([[257, 1, 2, 3]]) }],
      ['windows: split otherwise', { ...base, windows: windowsHash([[256, 1], [2, 3]]) }],
      ['threads', { ...base, engine: { name: 'ort-cpu', device: ortDevice('cpu', 1, '1.30.0') } }],
      ['provider', { ...base, engine: { name: 'ort-webgpu', device: ortDevice('webgpu', 2, '1.30.0') } }],
      ['ONNX Runtime version', { ...base, engine: { name: 'ort-cpu', device: ortDevice('cpu', 2, '1.31.0') } }],
      ['batch size', { ...base, settings: { language: 'en', batchSize: 16 } }],
      ['code revision', { ...base, revision: REVISIONS.perplexity + 1 }],
    ];
    const keys = new Set([cacheKey(base), ...variants.map(([, v]) => cacheKey(v))]);
    expect(keys.size).toBe(variants.length + 1);
  });

  it('is the same for the same inputs in another key order, and for the current revision named outright', () => {
    const reordered: CacheKeyInputs = { settings: { batchSize: 8, language: 'en' }, engine: base.engine, windows: base.windows, checkpoint: base.checkpoint, computation: 'perplexity' };
    expect(cacheKey(reordered)).toBe(cacheKey(base));
    expect(cacheKey({ ...base, revision: REVISIONS.perplexity })).toBe(cacheKey(base));
  });

  it('plannedEngine names the provider and thread count before anything starts', async () => {
    const one = await plannedEngine('ort-cpu', 1);
    const two = await plannedEngine('ort-cpu', 2);
    expect(one!.device).toMatch(/cpu execution provider, 1 thread\)$/);
    expect(two!.device).toMatch(/cpu execution provider, 2 threads\)$/);
    expect((await plannedEngine('ort-webgpu', 2))!.name).toBe('ort-webgpu');
  });
});
