import { engineOf } from '../../src/engine/select.js';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { cachedImportance } from '../../src/importance/cache.js';
import { computeImportance } from '../../src/importance/compute.js';
import { loadImportance, saveImportance } from '../../src/importance/io.js';
import { tinyModel } from '../helpers/tiny.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const windows = [[256, 10, 20, 30, 40], [256, 50, 60, 70, 80], [256, 90, 100]];
const input = { language: 'xx', checkpointHash: 'ckpt-hash', windows };

describe('cachedImportance', () => {
  it('computes once; a second call reads the cache without running the model', async () => {
    const { model } = tinyModel(21);
    const cacheDir = mkdtempSync(join(tmpdir(), 'regions-cache-'));
    const spy = vi.spyOn(model, 'lossAndGrads');
    const first = await cachedImportance(model, input, { cacheDir });
    const calls = spy.mock.calls.length;
    expect(first.source).toBe('computed');
    expect(calls).toBeGreaterThan(0);
    expect(first.file).toBe(join(cacheDir, `xx-${first.map.provenance.cache_key}.safetensors`));

    const second = await cachedImportance(model, input, { cacheDir });
    expect(spy.mock.calls.length).toBe(calls);
    expect(second).toMatchObject({ source: 'cache', file: first.file });
    expect(second.map).toEqual(first.map);

    // Other settings, other windows or another checkpoint are other cache entries.
    await cachedImportance(model, input, { cacheDir, weights: ['model.norm.weight'] });
    await cachedImportance(model, { ...input, windows: windows.slice(1) }, { cacheDir });
    await cachedImportance(model, { ...input, checkpointHash: 'other' }, { cacheDir });
    // …and another batch size: a pass sums its windows' gradients before the passes are summed, so it rounds otherwise.
    await cachedImportance(model, input, { cacheDir, batchSize: 2 });
    expect(readdirSync(cacheDir)).toHaveLength(5);

    // cache: false neither reads nor writes.
    const off = await cachedImportance(model, input, { cacheDir, cache: false });
    expect(off).toMatchObject({ source: 'computed', file: null });
    expect(readdirSync(cacheDir)).toHaveLength(5);
    model.dispose();
  });

  it('recomputes (and repairs) a damaged file, a truncated one, and one whose shapes do not fit the model', async () => {
    const { model } = tinyModel(22);
    const cacheDir = mkdtempSync(join(tmpdir(), 'regions-cache-'));
    const first = await cachedImportance(model, input, { cacheDir });
    const file = first.file!;
    const bytes = readFileSync(file);

    // One flipped byte near the end of the data.
    const damaged = Buffer.from(bytes);
    damaged[damaged.length - 3]! ^= 0xff;
    writeFileSync(file, damaged);
    const repaired = await cachedImportance(model, input, { cacheDir });
    expect(repaired.source).toBe('computed');
    expect(repaired.rejected).toMatch(/do not match their checksum/);
    expect(repaired.map.scores).toEqual(first.map.scores);
    expect((await cachedImportance(model, input, { cacheDir })).source).toBe('cache');

    writeFileSync(file, bytes.subarray(0, bytes.length - 100));
    const afterTruncation = await cachedImportance(model, input, { cacheDir });
    expect(afterTruncation).toMatchObject({ source: 'computed', rejected: expect.stringMatching(/truncated/) });

    // A valid file with the right key but a tensor of another shape (another model's importance).
    const wrong = loadImportance(file);
    const norm = wrong.scores.get('model.norm.weight')!;
    wrong.scores.set('model.norm.weight', { shape: [2, norm.data.length / 2], data: norm.data });
    saveImportance(file, wrong);
    const afterShape = await cachedImportance(model, input, { cacheDir });
    expect(afterShape.source).toBe('computed');
    expect(afterShape.rejected).toBe(`tensor model.norm.weight has shape [2, 16] but the model's weight has [32]`);
    expect(loadImportance(file).scores.get('model.norm.weight')!.shape).toEqual([32]);
    model.dispose();
  });

  it('starts a lazy engine only when the cache cannot answer', async () => {
    const { ckpt, model } = tinyModel(23);
    const cacheDir = mkdtempSync(join(tmpdir(), 'regions-cache-'));
    const shapes = new Map([...ckpt.weights].map(([n, w]) => [n, w.shape]));
    const start = vi.fn(async () => model);
    const engine = await engineOf(model);
    expect((await cachedImportance({ shapes, engine, start }, input, { cacheDir })).source).toBe('computed');
    expect((await cachedImportance({ shapes, engine, start }, input, { cacheDir })).source).toBe('cache');
    expect(start).toHaveBeenCalledTimes(1);
    await expect(cachedImportance(model, { ...input, language: '../x' }, { cacheDir })).rejects.toThrow(/must be a code of letters/);
    model.dispose();
  });

  it('a lazy engine whose engine is known only once started (auto with a GPU present) is started, and the cache read under what started', async () => {
    const { ckpt, model } = tinyModel(23);
    const cacheDir = mkdtempSync(join(tmpdir(), 'regions-cache-'));
    const shapes = new Map([...ckpt.weights].map(([n, w]) => [n, w.shape]));
    const spy = vi.spyOn(model, 'lossAndGrads');
    const start = vi.fn(async () => model);
    const first = await cachedImportance({ shapes, engine: null, start }, input, { cacheDir });
    const calls = spy.mock.calls.length;
    const second = await cachedImportance({ shapes, engine: null, start }, input, { cacheDir });
    expect([first.source, second.source]).toEqual(['computed', 'cache']);
    expect(spy.mock.calls.length).toBe(calls); // no gradients the second time
    expect(second.file).toBe(first.file);
    model.dispose();
  });
});

describe('saveImportance / loadImportance', () => {
  it('round-trips scores, languages and provenance as float32 tensors under the HF names', async () => {
    const { model } = tinyModel(24);
    const map = await computeImportance(model, input);
    const file = join(mkdtempSync(join(tmpdir(), 'regions-imp-')), 'xx.safetensors');
    saveImportance(file, map);
    expect(loadImportance(file)).toEqual(map);
    model.dispose();
  });

  it('refuses a file that is not an importance file, naming it', () => {
    const ckptDir = join(import.meta.dirname, '../fixtures/reference/llama-untied');
    const weights = join(ckptDir, 'model.safetensors');
    expect(existsSync(weights)).toBe(true);
    expect(() => loadImportance(weights)).toThrow(`${weights}: not an importance file: __metadata__.content is`);
  });
});
