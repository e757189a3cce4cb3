import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { textWindows } from '../../src/corpus/windows.js';
import { computeImportance } from '../../src/importance/compute.js';
import { windowsHash } from '../../src/cache/key.js';
import { disposeAll } from '../../src/engine/tfjs/model.js';
import { OrtModel } from '../../src/engine/onnx/ort-model.js';
import { loadTokenizer } from '../../src/tokenizer/tokenizer.js';
import { relativeToMax } from '../helpers/reference.js';
import { tinyModel } from '../helpers/tiny.js';


const TEXT = 'Der schnelle braune Fuchs springt über den faulen Hund.\nZwei Boxkämpfer jagen Eva quer durch Sylt.\n'.repeat(4);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('computeImportance', () => {
  it('is |θ ⊙ g| of the summed window means, leaves weights and tfjs memory unchanged, and records provenance', async () => {
    const { ckpt, model } = tinyModel(11);
    const tokenizer = loadTokenizer(join(ckpt.dir, 'tokenizer.json'));
    const weightsBefore = await model.toHost();
    const before = tf.memory().numTensors;
    const progress: [number, number][] = [];
    const map = await computeImportance(
      model,
      { language: 'de', checkpointHash: 'hash-1', text: TEXT, tokenizer },
      { maxTokens: 100, seqLen: 16, batchSize: 3, onProgress: (d, t) => progress.push([d, t]) },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(await model.toHost()).toEqual(weightsBefore);

    const { windows } = textWindows(TEXT, tokenizer, { seqLen: 16, maxTokens: 100 });
    expect(map.languages).toEqual(['de']);
    expect(map.provenance).toMatchObject({
      objective: 'sum-of-window-means',
      checkpoint: 'hash-1',
      language: 'de',
      windows_sha256: windowsHash(windows),
      windows: String(windows.length),
      tokens: String(windows.reduce((n, w) => n + w.length - 1, 0)),
      seq_len: '16',
      max_tokens: '100',
      weights: 'all',
      backend: 'cpu',
    });
    expect(Number(map.provenance.tokens)).toBeLessThanOrEqual(100);
    expect(progress.at(-1)).toEqual([windows.length, windows.length]);

    // The same thing by hand: one batch per window length, gradients summed, times θ.
    let expected = new Map<string, Float64Array>();
    const lengths = new Map<number, number[][]>();
    for (const w of windows) lengths.set(w.length, [...(lengths.get(w.length) ?? []), w]);
    for (const group of lengths.values()) {
      const { grads } = await model.lossAndGrads(group, 'sum-of-window-means');
      for (const [name, g] of grads) {
        const acc = expected.get(name) ?? new Float64Array(g.size);
        (await g.data()).forEach((v, i) => (acc[i]! += v));
        expected.set(name, acc);
      }
      disposeAll(grads);
    }
    expected = new Map([...expected].map(([n, g]) => [n, g.map((v, i) => Math.abs(v * weightsBefore.get(n)!.data[i]!))]));
    expect([...map.scores.keys()]).toEqual(model.weightNames());
    for (const [name, { shape, data }] of map.scores) {
      expect(shape).toEqual(ckpt.weights.get(name)!.shape);
      expect(relativeToMax(data, expected.get(name)!), name).toBeLessThanOrEqual(1e-5);
    }
    model.dispose();
  });

  it('scores given windows exactly as given, and only the weights asked for', async () => {
    const { model } = tinyModel(12);
    const windows = [[256, 72, 105, 33], [256, 1, 2, 3], [256, 9, 9]];
    const names = ['model.layers.0.mlp.down_proj.weight', 'model.norm.weight'];
    const map = await computeImportance(model, { language: 'xx', checkpointHash: 'h', windows }, { weights: names });
    expect([...map.scores.keys()]).toEqual(names);
    expect(map.provenance).toMatchObject({ seq_len: 'given windows', windows: '3', tokens: '8', windows_sha256: windowsHash(windows) });
    const all = await computeImportance(model, { language: 'xx', checkpointHash: 'h', windows });
    for (const n of names) expect(map.scores.get(n)!.data).toEqual(all.scores.get(n)!.data);
    model.dispose();
  });

  it('refuses empty text, empty or too-short windows, bad settings and unknown weights with clear errors', async () => {
    const { ckpt, model } = tinyModel(13);
    const tokenizer = loadTokenizer(join(ckpt.dir, 'tokenizer.json'));
    const input = { language: 'de', checkpointHash: 'h' };
    await expect(computeImportance(model, { ...input, text: ' \n\n', tokenizer })).rejects.toThrow('importance of "de": the text has no tokens to score');
    await expect(computeImportance(model, { ...input, windows: [] })).rejects.toThrow('importance of "de": the list of windows is empty');
    await expect(computeImportance(model, { ...input, windows: [[256, 1], [256]] })).rejects.toThrow(/window 1 has 1 token\(s\)/);
    await expect(computeImportance(model, { ...input, text: TEXT, tokenizer }, { seqLen: 1 })).rejects.toThrow(/importance setting seqLen: .* \(got 1\)/);
    await expect(computeImportance(model, { ...input, text: TEXT, tokenizer }, { maxTokens: 0 })).rejects.toThrow(/importance setting maxTokens/);
    await expect(computeImportance(model, { ...input, windows: [[256, 1]] }, { weights: ['nope'] })).rejects.toThrow(/the model has no weight named nope/);
    model.dispose();
  });

  it('gives the same scores on ONNX Runtime (2 threads) as in process on tfjs', async () => {
    const { ckpt, model } = tinyModel(14);
    const windows = Array.from({ length: 7 }, (_, w) => [256, ...Array.from({ length: 9 }, (_, t) => (w * 31 + t * 7) % 256)]);
    const input = { language: 'xx', checkpointHash: 'h', windows };
    const local = await computeImportance(model, input, { batchSize: 2 });
    const ort = new OrtModel(ckpt.config, ckpt.weights, { threads: 2 });
    try {
      const scored = await computeImportance(ort, input, { batchSize: 2 });
      expect(scored.provenance.backend).toMatch(/^onnxruntime \S+ cpu \(2 threads\)$/);
      for (const [name, { data }] of local.scores) expect(relativeToMax(scored.scores.get(name)!.data, data), name).toBeLessThanOrEqual(1e-5);
    } finally {
      await ort.release();
      model.dispose();
    }
  });
});
