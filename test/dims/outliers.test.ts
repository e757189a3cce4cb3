import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCheckpoint, type GeneratedCheckpoint } from '../../src/checkpoint/generate.js';
import { activationOutliers } from '../../src/detect/outliers.js';
import { LlamaModel } from '../../src/engine/tfjs/model.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const BOS = 256;
/** Three BOS-led windows of bytes; lengths 6, 6 and 4 (two batches of different length). */
const WINDOWS = [
  [BOS, 84, 104, 101, 32, 99],
  [BOS, 97, 116, 32, 115, 97],
  [BOS, 116, 32, 111],
];

/**
 * A synthetic test instrument: a tiny random checkpoint whose embedding column `dim` is `value` for the
 * listed token ids (all ids when none are listed), so the residual stream carries one huge dimension
 * from the embedding on — a stand-in for LLaMA-2's massive activations.
 */
function massiveModel(dim: number, value: number, ids?: number[]): { ckpt: GeneratedCheckpoint; model: LlamaModel } {
  const ckpt = generateCheckpoint(mkdtempSync(join(tmpdir(), 'regions-dims-')), { seed: 21, tokenizer: 'bytes' });
  const embed = ckpt.weights.get('model.embed_tokens.weight')!; // [258, 32]
  const d = embed.shape[1]!;
  for (const id of ids ?? Array.from({ length: embed.shape[0]! }, (_, i) => i)) embed.data[id * d + dim] = value;
  return { ckpt, model: LlamaModel.fromWeights(ckpt.config, ckpt.weights) };
}

describe('activationOutliers', () => {
  it('finds the planted dim 7 with a huge ratio in every layer, and leaks no tensors', async () => {
    const { model } = massiveModel(7, 100);
    const before = tf.memory().numTensors;
    const a = await activationOutliers(model, WINDOWS, { top: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(a.windows).toBe(3);
    expect(a.tokens).toBe(16);
    expect(a.layers.map((l) => l.layer)).toEqual([-1, 0, 1]);
    for (const l of a.layers) {
      for (const positions of [l.first, l.rest]) {
        expect(positions.top[0]!.dim).toBe(7);
        expect(positions.top[0]!.ratio).toBeGreaterThan(100);
      }
    }
    expect(a.top[0]!.dim).toBe(7);
    expect(a.top).toHaveLength(3);
    model.dispose();
  });

  it('without a planted dim no dim stands out (control)', async () => {
    const { model } = massiveModel(7, 0.01); // an ordinary value
    const a = await activationOutliers(model, WINDOWS);
    expect(a.top[0]!.ratio).toBeLessThan(10);
    model.dispose();
  });

  it('keeps the first position (BOS) apart from the others', async () => {
    const { model } = massiveModel(3, 100, [BOS]);
    const a = await activationOutliers(model, WINDOWS);
    const embedding = a.layers[0]!;
    expect(embedding.first.top[0]).toMatchObject({ dim: 3, maxAbs: 100 });
    expect(embedding.rest.top[0]!.ratio).toBeLessThan(10);
    for (const l of a.layers) expect(l.first.top[0]!.dim).toBe(3);
    expect(a.top[0]).toMatchObject({ dim: 3, positions: 'first' });
    model.dispose();
  });

  it('after the embedding, the maxima are exactly |E[token, dim]| over the tokens at those positions (host reference)', async () => {
    const { ckpt, model } = massiveModel(5, -7);
    const E = ckpt.weights.get('model.embed_tokens.weight')!;
    const d = E.shape[1]!;
    const a = await activationOutliers(model, WINDOWS);
    const rest = new Float32Array(d);
    for (const w of WINDOWS) for (const id of w.slice(1)) for (let j = 0; j < d; j++) rest[j] = Math.max(rest[j]!, Math.abs(E.data[id * d + j]!));
    const first = Float32Array.from(E.data.subarray(BOS * d, BOS * d + d), Math.abs);
    expect(a.layers[0]!.first.maxAbs).toEqual(first);
    expect(a.layers[0]!.rest.maxAbs).toEqual(rest);
    const sorted = [...rest].sort((x, y) => x - y);
    expect(a.layers[0]!.rest.median).toBe((sorted[15]! + sorted[16]!) / 2);
    model.dispose();
  });

  it('a NaN activation makes its layer\'s median and the dim\'s ratio NaN, ranked first — not sorted out of sight', async () => {
    const { model } = massiveModel(7, Number.NaN, [BOS]);
    const a = await activationOutliers(model, WINDOWS);
    const embedding = a.layers[0]!.first;
    expect(embedding.median).toBeNaN();
    expect(embedding.top[0]!.dim).toBe(7);
    expect(a.top[0]!.ratio).toBeNaN();
    model.dispose();
  });

  it('rejects empty windows, one-token windows and ids outside the vocabulary', async () => {
    const { model } = massiveModel(7, 1);
    await expect(activationOutliers(model, [])).rejects.toThrow('activationOutliers: no token windows given');
    await expect(activationOutliers(model, [[BOS]])).rejects.toThrow('window 0 has 1 token(s)');
    await expect(activationOutliers(model, [[BOS, 1], [BOS, 300]])).rejects.toThrow(
      'token id 300 at window 1, position 1 is outside the vocabulary [0, 258)',
    );
    await expect(activationOutliers(model, WINDOWS, { top: 0 })).rejects.toThrow(/^activationOutliers: top: /);
    model.dispose();
  });
});

describe('activationOutliers on ONNX Runtime', () => {
  it('gives the tfjs engine’s maxima (1e-5 relative), on the planted instrument and on a control, and leaves no session', async () => {
    const { OrtModel, openOrtSessions } = await import('../../src/engine/onnx/ort-model.js');
    for (const value of [100, 0.01]) {
      const { ckpt, model } = massiveModel(7, value);
      const sessions = openOrtSessions();
      const ort = new OrtModel(ckpt.config, ckpt.weights, { threads: 1 });
      const [a, b] = [await activationOutliers(ort, WINDOWS, { top: 3 }), await activationOutliers(model, WINDOWS, { top: 3 })];
      await ort.release();
      expect(openOrtSessions()).toBe(sessions);
      expect(a.tokens).toBe(b.tokens);
      expect(a.top.map((t) => [t.dim, t.layer, t.positions])).toEqual(b.top.map((t) => [t.dim, t.layer, t.positions]));
      a.layers.forEach((l, i) => {
        for (const positions of ['first', 'rest'] as const) {
          const [x, y] = [l[positions].maxAbs, b.layers[i]![positions].maxAbs];
          x.forEach((v, j) => expect(Math.abs(v - y[j]!)).toBeLessThanOrEqual(1e-5 * Math.abs(y[j]!) + 1e-7));
        }
      });
      model.dispose();
    }
  });
});
