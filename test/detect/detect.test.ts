/**
 * The detectors on synthetic instruments with a known answer: a generated model with a super weight
 * planted in layer 0's down_proj (and its input channel made to fire) — a positive control, documented as an
 * instrument, not as any real model's finding — and the same model with nothing planted (negative control).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCheckpoint } from '../../src/checkpoint/generate.js';
import type { HostTensor } from '../../src/checkpoint/types.js';
import { KNOWN_SUPER_WEIGHTS, massiveActivations, matchKnownSuperWeight, superWeights } from '../../src/detect/index.js';
import { OrtModel, openOrtSessions } from '../../src/engine/onnx/ort-model.js';

const ROW = 5; // the hidden dim the planted weight writes
const COL = 17; // the FFN channel it reads
const generated = generateCheckpoint(mkdtempSync(join(tmpdir(), 'regions-detect-')), {
  seed: 3,
  tokenizer: 'bytes',
  config: { hidden_size: 32, intermediate_size: 64, num_hidden_layers: 3, max_position_embeddings: 64 },
});
const { config } = generated;

function planted(): Map<string, HostTensor> {
  const w = new Map([...generated.weights].map(([n, t]) => [n, { shape: t.shape, data: t.data.slice() }]));
  const d = config.hiddenSize;
  const ffn = config.intermediateSize;
  for (const name of ['gate_proj', 'up_proj']) {
    const m = w.get(`model.layers.0.mlp.${name}.weight`)!.data; // [ffn, d]
    for (let k = 0; k < d; k++) m[COL * d + k]! *= 20;
  }
  w.get('model.layers.0.mlp.down_proj.weight')!.data[ROW * ffn + COL] = 40; // [d, ffn]
  return w;
}

const windows = Array.from({ length: 4 }, (_, k) => [256, ...Array.from({ length: 31 }, (_, i) => (k * 37 + i * 11) % 256)]);
const isDelimiter = (t: number) => t === 46 || t === 10;
const sessions = openOrtSessions();
const withPlant = new OrtModel(config, planted(), { threads: 1 });
const clean = new OrtModel(config, generated.weights, { threads: 1 });
afterAll(async () => {
  await withPlant.release();
  await clean.release();
  expect(openOrtSessions()).toBe(sessions);
});

describe('superWeights', () => {
  it('finds the planted weight at (layer 0, row, col) from one forward pass, with its value', async () => {
    const r = await superWeights(withPlant, windows);
    expect(r.candidates.length).toBeGreaterThanOrEqual(1);
    expect(r.candidates[0]).toMatchObject({ layer: 0, row: ROW, col: COL, weight: 40, known: null });
    expect(r.layers[0]).toMatchObject({ input: { channel: COL }, output: { dim: ROW } });
    expect(r).toMatchObject({ windows: 4, tokens: 128, criterion: { minRatio: 50 } });
  });

  it('finds none where nothing is planted (every layer’s output spike below ×50 its median dim)', async () => {
    const r = await superWeights(clean, windows);
    expect(r.candidates).toEqual([]);
    for (const l of r.layers) expect(l.outputRatio).toBeLessThan(50);
  });
});

describe('a model gone NaN', () => {
  it('yields no super-weight candidate and no massive dim (NaN meets no criterion)', async () => {
    const w = planted();
    w.get('model.layers.0.mlp.down_proj.weight')!.data.fill(Number.NaN);
    const nan = new OrtModel(config, w, { threads: 1 });
    try {
      expect((await superWeights(nan, windows)).candidates).toEqual([]);
      expect((await massiveActivations(nan, windows, { minValue: 10, minRatio: 100 })).massive).toEqual([]);
    } finally {
      await nan.release();
    }
  });
});

describe('a model gone NaN in one window', () => {
  it('its NaN makes each layer\'s median NaN: the clean windows\' planted dim is no massive activation there', async () => {
    // One token's embedding is NaN in one entry: that window goes NaN, the other three carry the planted dim.
    const w = planted();
    const token = windows[3]![5]!;
    expect(windows.slice(0, 3).flat()).not.toContain(token);
    w.get('model.embed_tokens.weight')!.data[token * config.hiddenSize] = Number.NaN;
    const nan = new OrtModel(config, w, { threads: 1 });
    try {
      const r = await massiveActivations(nan, windows, { minValue: 10, minRatio: 100 });
      for (const l of r.layers) expect(l.median).toBeNaN();
      expect(r.massive).toEqual([]);
    } finally {
      await nan.release();
    }
  });
});

describe('massiveActivations', () => {
  it('the planted weight makes its row a massive dim from layer 0 on; a clean model has none', async () => {
    const r = await massiveActivations(withPlant, windows, { isDelimiter, minValue: 10, minRatio: 100 });
    expect(r.massive.map((m) => m.dim)).toContain(ROW);
    const dim = r.massive.find((m) => m.dim === ROW)!;
    expect(dim.layers[0]).toBe(0);
    expect(r.layers.find((l) => l.layer === 0)!.top[0]!.dim).toBe(ROW);
    expect(r.layers.map((l) => l.layer)).toEqual([-1, 0, 1, 2]);
    const none = await massiveActivations(clean, windows, { isDelimiter, minValue: 10, minRatio: 100 });
    expect(none.massive).toEqual([]);
    for (const l of none.layers) expect(l.ratio).toBeLessThan(100);
  });

  it('reports each layer’s peaks by position kind (first token, delimiter, other) and the median', async () => {
    const r = await massiveActivations(clean, [[256, 72, 105, 46, 10, 65, 66, 67]], { isDelimiter });
    for (const l of r.layers) {
      expect(l.median).toBeGreaterThan(0);
      expect(l.byKind.first).not.toBeNull();
      expect(l.byKind.delimiter).not.toBeNull();
      expect(l.byKind.other).not.toBeNull();
      expect(l.top).toHaveLength(3);
      expect(new Set(l.top.map((p) => p.dim)).size).toBe(3);
    }
    expect(r.criterion).toEqual({ minValue: 100, minRatio: 1000 });
  });

  it('refuses an empty probe', async () => {
    await expect(massiveActivations(clean, [])).rejects.toThrow(/no windows to run/);
  });
});

describe('known super-weight coordinates', () => {
  it('match only on a model of the published shape', () => {
    const llama2 = { hiddenSize: 4096, intermediateSize: 11008, numLayers: 32, vocabSize: 32000 };
    expect(matchKnownSuperWeight(llama2, { layer: 1, row: 2533, col: 7890 })?.model).toBe('Llama-2-7B');
    expect(matchKnownSuperWeight(llama2, { layer: 2, row: 3968, col: 7003 })?.model).toBe('Llama-7B');
    expect(matchKnownSuperWeight({ ...llama2, vocabSize: 32001 }, { layer: 1, row: 2533, col: 7890 })).toBeNull();
    expect(matchKnownSuperWeight(llama2, { layer: 1, row: 2533, col: 7891 })).toBeNull();
    expect(KNOWN_SUPER_WEIGHTS.filter((k) => k.model === 'Llama-3-8B').map((k) => k.row)).toEqual([788, 1384, 4062]);
  });
});

describe('regions detect', { timeout: 60_000 }, () => {
  it('super-weights: prints the planted coordinate as JSON and as a table, on ONNX Runtime and on tfjs; massive-activations runs; bad input is a usage error', async () => {
    const { saveCheckpoint } = await import('../../src/checkpoint/save.js');
    const { byteTokenizerJson } = await import('../../src/checkpoint/generate.js');
    const { runCli } = await import('../cli/helpers.js');
    const dir = mkdtempSync(join(tmpdir(), 'regions-detect-cli-'));
    saveCheckpoint(join(dir, 'model'), { config: generated.rawConfig, weights: planted(), tokenizerJson: byteTokenizerJson() });
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(dir, 'texts'));
    writeFileSync(join(dir, 'texts', 'en.txt'), 'The cat sat on the mat. It was a sunny day.\nA dog ran in the park.\n'.repeat(8));
    const base = ['--checkpoint', join(dir, 'model'), '--texts', join(dir, 'texts'), '--seq-len', '32'];
    const json = await runCli(['detect', 'super-weights', ...base, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const r = JSON.parse(json.stdout);
    expect(r.detector).toBe('super-weights');
    expect(r.candidates[0]).toMatchObject({ layer: 0, row: ROW, col: COL, weight: 40 });
    expect(r.probe).toMatchObject({ languages: ['en'], seq_len: 32 });
    const table = await runCli(['detect', 'super-weights', ...base]);
    expect(table.stdout).toContain(`(0, ${ROW}, ${COL}): model.layers.0.mlp.down_proj.weight[${ROW}][${COL}] = 40.00`);
    const massive = await runCli(['detect', 'massive-activations', ...base, '--json']);
    expect(massive.code, massive.stderr).toBe(0);
    expect(JSON.parse(massive.stdout).layers).toHaveLength(4);
    const unknown = await runCli(['detect', 'neurons', ...base]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/detect takes a detector first: super-weights or massive-activations or language-neurons \(got "neurons"\)/);
    // On a tfjs backend the same detector finds the same coordinate (the architecture and its observers are written once).
    const tfjs = await runCli(['detect', 'super-weights', ...base, '--backend', 'cpu', '--json']);
    expect(tfjs.code, tfjs.stderr).toBe(0);
    const t = JSON.parse(tfjs.stdout);
    expect(t.backend.name).toBe('cpu');
    expect(t.candidates.map((c: { layer: number; row: number; col: number }) => [c.layer, c.row, c.col])).toEqual(r.candidates.map((c: { layer: number; row: number; col: number }) => [c.layer, c.row, c.col]));
    expect(Math.abs(t.candidates[0].outputValue - r.candidates[0].outputValue) / r.candidates[0].outputValue).toBeLessThan(1e-4);
  });
});

describe('the detectors on tfjs', () => {
  it('agree with ONNX Runtime on the planted instrument: the same dims, candidates and spikes within 1e-4, and Wanda within 1e-4 of each tensor', async () => {
    const tf = await import('@tensorflow/tfjs');
    const { LlamaModel } = await import('../../src/engine/tfjs/model.js');
    const { wandaImportance } = await import('../../src/importance/wanda.js');
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const tfjs = LlamaModel.fromWeights(config, planted());
    try {
      const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(Math.abs(a), Math.abs(b), 1e-6);
      const [so, st] = [await superWeights(withPlant, windows), await superWeights(tfjs, windows)];
      expect(st.candidates.map((c) => [c.layer, c.row, c.col])).toEqual(so.candidates.map((c) => [c.layer, c.row, c.col]));
      for (const [i, l] of so.layers.entries()) expect(close(st.layers[i]!.outputRatio, l.outputRatio), `layer ${i}`).toBe(true);
      const [mo, mt] = [await massiveActivations(withPlant, windows, { isDelimiter, minValue: 10, minRatio: 100 }), await massiveActivations(tfjs, windows, { isDelimiter, minValue: 10, minRatio: 100 })];
      expect(mt.massive.map((m) => [m.dim, m.layers])).toEqual(mo.massive.map((m) => [m.dim, m.layers]));
      for (const [i, l] of mo.layers.entries()) {
        expect(mt.layers[i]!.top.map((p) => p.dim)).toEqual(l.top.map((p) => p.dim));
        expect(close(mt.layers[i]!.ratio, l.ratio), `layer ${l.layer}`).toBe(true);
      }
      const [wo, wt] = [await wandaImportance(withPlant, windows), await wandaImportance(tfjs, windows)];
      for (const [name, t] of wo.scores) {
        const max = t.data.reduce((m, v) => Math.max(m, v), 0);
        const other = wt.scores.get(name)!.data;
        expect(t.data.reduce((w, v, i) => Math.max(w, Math.abs(v - other[i]!)), 0) / max, name).toBeLessThan(1e-4);
      }
      expect(await tfjs.observe('gate-positive', windows)).toEqual(await withPlant.observe('gate-positive', windows));
    } finally {
      tfjs.dispose();
    }
    expect(tf.memory().numTensors).toBe(before); // no tensor left behind
  });
});
