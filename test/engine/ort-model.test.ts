/**
 * The ONNX Runtime engine: the host arrays are the single source of truth (editing one changes the next
 * run without a new session; restoring it gives the same bits), sessions are cached per batch shape and
 * released, and the fixture's perplexity per language agrees with the tfjs engine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { expectedWeightShapes, parseModelConfig } from '../../src/checkpoint/config.js';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { mulberry32 } from '../../src/util/random.js';
import { readTexts } from '../../src/corpus/texts.js';
import { textWindows } from '../../src/corpus/windows.js';
import { MAX_SESSIONS, OrtModel, openOrtSessions } from '../../src/engine/onnx/ort-model.js';
import { openForward } from '../../src/engine/select.js';
import { windowsPerplexity } from '../../src/metrics/perplexity.js';
import { loadTokenizer } from '../../src/tokenizer/tokenizer.js';
import { readExpected, worst } from '../helpers/reference.js';

const REFERENCE = join(import.meta.dirname, '../fixtures/reference/llama-gqa');
const FIXTURE = join(import.meta.dirname, '../../fixtures/models/polyglot-v2');
const EVAL = join(import.meta.dirname, '../../fixtures/corpora/eval');

describe('OrtModel', () => {
  test('reads the host arrays at every run: an edit shows in the next run, without a new session, and restoring restores the bits', async () => {
    const ckpt = loadCheckpoint(REFERENCE);
    const model = new OrtModel(ckpt.config, ckpt.weights, { threads: 1 });
    const before = openOrtSessions();
    try {
      const ids = [[1, 5, 9, 3]];
      const original = await model.logits(ids);
      expect(openOrtSessions()).toBe(before + 1);
      const w = ckpt.weights.get('model.layers.0.mlp.down_proj.weight')!;
      const saved = w.data.slice();
      w.data.fill(0);
      const edited = await model.logits(ids);
      expect(edited).not.toEqual(original);
      w.data.set(saved);
      expect(await model.logits(ids)).toEqual(original);
      expect(openOrtSessions()).toBe(before + 1); // one session for this batch shape, reused
      await model.windowNll(ids);
      await model.logits([[1, 2], [3, 4]]);
      expect(openOrtSessions()).toBe(before + 3); // per (batch, seq, output)
    } finally {
      await model.release();
    }
    expect(openOrtSessions()).toBe(before);
    await expect(model.logits([[1, 2]])).rejects.toThrow('the ONNX Runtime model was released');
  });

  test('gradients are bit-identical for a fixed thread count (two models, two runs each)', async () => {
    const ckpt = loadCheckpoint(REFERENCE);
    const ids = [[1, 5, 9, 3, 7, 2], [4, 4, 8, 1, 0, 6]];
    const runs: Map<string, Float32Array>[] = [];
    for (let k = 0; k < 2; k++) {
      const model = new OrtModel(ckpt.config, ckpt.weights, { threads: 2 });
      try {
        runs.push((await model.lossAndGrads(ids)).grads, (await model.lossAndGrads(ids)).grads);
      } finally {
        await model.release();
      }
    }
    const bits = (g: Map<string, Float32Array>) => [...g].map(([n, d]) => [n, Buffer.from(d.buffer).toString('hex')]);
    for (const r of runs.slice(1)) expect(bits(r)).toEqual(bits(runs[0]!));
  });

  test('at a size where ONNX Runtime splits kernels over its threads, repeated ids still give bit-identical gradients equal to the sum of per-window ones', async () => {
    // A regression test: the embedding rows' gradient was a ScatterND with reduction 'add', which ORT's
    // CPU kernel spreads over its threads; repeated ids raced, updates were lost and the gradient norm
    // changed from run to run (by up to 3e-4 relative) at 16 × 128 tokens with two threads.
    const config = parseModelConfig({ ...JSON.parse(readFileSync(join(REFERENCE, 'config.json'), 'utf8')), vocab_size: 258, hidden_size: 128, intermediate_size: 344, max_position_embeddings: 128 });
    const rng = mulberry32(11);
    const weights = new Map([...expectedWeightShapes(config)].map(([name, shape]) => {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < data.length; i++) data[i] = name.endsWith('norm.weight') ? 1 : (rng() - 0.5) * 0.1;
      return [name, { shape, data }];
    }));
    const windows = Array.from({ length: 16 }, () => Array.from({ length: 128 }, () => Math.floor(rng() * 40))); // ~50 repeats of each id
    const model = new OrtModel(config, weights, { threads: 2 });
    try {
      const runs: Map<string, Float32Array>[] = [];
      for (let k = 0; k < 4; k++) runs.push(new Map([...(await model.lossAndGrads(windows)).grads].map(([n, g]) => [n, g.slice()])));
      const bits = (g: Map<string, Float32Array>) => [...g].map(([n, d]) => [n, Buffer.from(d.buffer).toString('hex')]);
      for (const r of runs.slice(1)) expect(bits(r)).toEqual(bits(runs[0]!));
      const sum = new Map<string, Float64Array>();
      for (const w of windows) {
        for (const [n, g] of (await model.lossAndGrads([w])).grads) {
          const acc = sum.get(n) ?? new Float64Array(g.length);
          for (let i = 0; i < g.length; i++) acc[i]! += g[i]! / windows.length;
          sum.set(n, acc);
        }
      }
      for (const [n, g] of runs[0]!) {
        const ref = sum.get(n)!;
        const scale = ref.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
        expect(worst(g, [...ref], 0, 1e-5 * scale), n).toBeLessThan(1);
      }
    } finally {
      await model.release();
    }
  });

  test('the NLL and gradients in chunks of logits rows equal the unchunked ones (and the PyTorch reference)', async () => {
    const ckpt = loadCheckpoint(REFERENCE);
    const expected = readExpected('llama-gqa');
    const whole = new OrtModel(ckpt.config, ckpt.weights, { threads: 1 });
    // 3 rows of logits at a time: the reference batch's rows come in several chunks, the last one short.
    const chunked = new OrtModel(ckpt.config, ckpt.weights, { threads: 1, logitsChunkBytes: 3 * 4 * ckpt.config.vocabSize });
    try {
      const rows = expected.ids.length * (expected.ids[0]!.length - 1);
      expect(rows % 3).not.toBe(0);
      const [a, b] = [await whole.windowNll(expected.ids), await chunked.windowNll(expected.ids)];
      a.forEach((w, i) => expect(Math.abs(w.nllSum - b[i]!.nllSum)).toBeLessThanOrEqual(1e-5 * Math.abs(w.nllSum)));
      const [ga, gb] = [await whole.lossAndGrads(expected.ids), await chunked.lossAndGrads(expected.ids)];
      expect(Math.abs(gb.loss - expected.loss)).toBeLessThanOrEqual(1e-5 * expected.loss);
      for (const [name, ref] of Object.entries(expected.grads)) {
        const scale = Math.max(...ref.map(Math.abs));
        expect(worst(gb.grads.get(name)!, ref, 0, 1e-4 * scale), name).toBeLessThanOrEqual(1);
        expect(worst(gb.grads.get(name)!, [...ga.grads.get(name)!], 0, 1e-5 * scale), name).toBeLessThanOrEqual(1);
      }
    } finally {
      await whole.release();
      await chunked.release();
    }
  });

  test('bad windows and missing weights are clear errors', async () => {
    const ckpt = loadCheckpoint(REFERENCE);
    const model = new OrtModel(ckpt.config, ckpt.weights, { threads: 1 });
    try {
      await expect(model.windowNll([[1]])).rejects.toThrow('a window needs at least 2 tokens to predict one (got 1)');
      await expect(model.logits([[1, ckpt.config.vocabSize]])).rejects.toThrow(`token id ${ckpt.config.vocabSize} at window 0, position 1 is outside the vocabulary`);
      const partial = new Map(ckpt.weights);
      partial.delete('model.norm.weight');
      const broken = new OrtModel(ckpt.config, partial, { threads: 1 });
      await expect(broken.logits([[1, 2]])).rejects.toThrow('model weight model.norm.weight is missing');
      await broken.release();
    } finally {
      await model.release();
    }
  });
});

describe('OrtModel sessions and overlays', () => {
  test(`keeps at most maxSessions (default ${MAX_SESSIONS}) sessions: a sweep over window lengths releases the least recently run`, async () => {
    const ckpt = loadCheckpoint(REFERENCE);
    const max = 5;
    const model = new OrtModel(ckpt.config, ckpt.weights, { threads: 1, maxSessions: max });
    const before = openOrtSessions();
    try {
      const first = await model.windowNll([[1, 5]]);
      for (let seq = 3; seq < max + 8; seq++) {
        await model.windowNll([Array.from({ length: seq }, (_, i) => 1 + (i % 7))]);
        expect(model.sessionCount).toBeLessThanOrEqual(max);
        expect(openOrtSessions() - before).toBe(model.sessionCount);
      }
      expect(await model.windowNll([[1, 5]])).toEqual(first); // rebuilt after its release: the same bits
    } finally {
      await model.release();
    }
    expect(openOrtSessions()).toBe(before);
  });

  test('an overlay reads its replacements and shares the sessions; the model is unchanged; a view cannot release them', async () => {
    const ckpt = loadCheckpoint(REFERENCE);
    const model = new OrtModel(ckpt.config, ckpt.weights, { threads: 1 });
    const ids = [[1, 5, 9, 3]];
    try {
      const original = await model.logits(ids);
      const sessions = openOrtSessions();
      const name = 'model.layers.0.mlp.down_proj.weight';
      const view = model.overlay(new Map([[name, new Float32Array(ckpt.weights.get(name)!.data.length)]]));
      const [perturbed, plain] = await Promise.all([view.model.logits(ids), model.logits(ids)]);
      expect(perturbed).not.toEqual(original);
      expect(plain).toEqual(original);
      expect(openOrtSessions()).toBe(sessions);
      await expect(view.model.release()).rejects.toThrow(/overlay view/);
      view.release();
      expect(() => model.overlay(new Map([[name, new Float32Array(3)]]))).toThrow(/replacement has 3/);
    } finally {
      await model.release();
    }
  });
});

describe('openForward', () => {
  const gpu = existsSync('/dev/nvidia0') || existsSync('/dev/dri/renderD128');

  test('ort-webgpu without a GPU adapter is a BackendError that says so; auto falls back to the CPU provider', async () => {
    // In a process whose Vulkan loader finds no driver: CI installs a software one (lavapipe) for the WebGPU tests.
    const script = [
      `import { openForward } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../src/engine/select.ts')).href)};`,
      `import { loadCheckpoint } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../src/checkpoint/load.ts')).href)};`,
      `const ckpt = loadCheckpoint(${JSON.stringify(REFERENCE)});`,
      `try { await openForward(ckpt.config, ckpt.weights, 'ort-webgpu'); console.log('opened'); } catch (e) { console.log(e.message); }`,
    ].join('\n');
    const noDriver = '/nonexistent/vulkan-icd.json';
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, VK_DRIVER_FILES: noDriver, VK_ICD_FILENAMES: noDriver },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stdout).toMatch(/^backend 'ort-webgpu': ONNX Runtime could not start its webgpu execution provider: .*Failed to get a WebGPU adapter.*\(WebGPU needs a GPU adapter/s);
    if (gpu) return; // a machine with a GPU device: auto would try WebGPU first
    const ckpt = loadCheckpoint(REFERENCE);
    const before = openOrtSessions();
    const auto = await openForward(ckpt.config, ckpt.weights, 'auto');
    expect(auto.info.name).toBe('ort-cpu');
    expect(auto.info.device).toMatch(/^CPU: .* \(ONNX Runtime \d+\.\d+\.\d+, cpu execution provider, \d+ threads?\)$/);
    await auto.close();
    expect(openOrtSessions()).toBe(before);
  });

  test.skipIf(existsSync(join(import.meta.dirname, '../../node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so')))(
    'ort-cuda without the CUDA provider binaries is a BackendError telling how to install them',
    async () => {
      const ckpt = loadCheckpoint(REFERENCE);
      await expect(openForward(ckpt.config, ckpt.weights, 'ort-cuda')).rejects.toThrow(
        /^backend 'ort-cuda': ONNX Runtime could not start its cuda execution provider: .*--onnxruntime-node-install=cuda12/s,
      );
    },
  );

  test('an unknown name, from the argument or from REGIONS_BACKEND, lists the names', async () => {
    const ckpt = loadCheckpoint(REFERENCE);
    await expect(openForward(ckpt.config, ckpt.weights, 'gpu')).rejects.toThrow("backend 'gpu': 'gpu' is not a backend; expected one of auto, ort, ort-cpu");
  });

  test('the fixture: ONNX Runtime and tfjs-wasm give the same perplexity in all 30 languages (1e-5 relative)', async () => {
    const ckpt = loadCheckpoint(FIXTURE);
    const tokenizer = loadTokenizer(ckpt.tokenizerFile!, { bosId: ckpt.config.bosTokenId, eosId: ckpt.config.eosTokenId });
    const texts = readTexts(EVAL);
    expect(texts.size).toBe(30);
    const ort = await openForward(ckpt.config, ckpt.weights, 'ort-cpu');
    const tfjs = await openForward(ckpt.config, ckpt.weights, 'wasm');
    const rows: string[] = [];
    let worst = 0;
    try {
      for (const [language, text] of texts) {
        const { windows, bytes } = textWindows(text, tokenizer, { seqLen: 128, maxTokens: 1024 });
        const a = await windowsPerplexity(ort.model, windows, bytes);
        const b = await windowsPerplexity(tfjs.model, windows, bytes);
        const rel = Math.abs(a.ppl - b.ppl) / b.ppl;
        worst = Math.max(worst, rel);
        rows.push(`${rel <= 1e-5 ? 'OK    ' : 'NOT OK'} ${language}: ort ${a.ppl} tfjs ${b.ppl} (${rel.toExponential(2)})`);
      }
    } finally {
      await ort.close();
      await tfjs.close();
    }
    expect(rows.filter((r) => r.startsWith('NOT OK')), rows.join('\n')).toEqual([]);
    expect(worst).toBeLessThanOrEqual(1e-5);
  }, 120_000);
});
