/**
 * Engine throughput on the benchmark configuration: LLaMA d_model 256, 4 layers, 4 heads,
 * ffn 688, vocab 4096, untied, batch 8 × 128 tokens (5.26 M parameters).
 *
 *   npx vitest bench --run bench/model.bench.ts
 *
 * Reports forward and forward+backward per engine: tfjs `wasm` in-process (one thread); ONNX Runtime's CPU
 * provider, forward with 1 and 2 intra-op threads and forward+backward (its gradient graph) with 2; and one
 * whole training step (forward+backward, clipping, host AdamW) on ONNX Runtime. The 2-worker wasm pool
 * this project used before is gone (its last figures: docs/performance.md). PyTorch: bench/torch_step.py.
 * tokens/s = 1024 / (mean time in s).
 */
import { afterAll, bench, describe } from 'vitest';
import { expectedWeightShapes, parseModelConfig } from '../src/checkpoint/config.js';
import type { HostTensor } from '../src/checkpoint/types.js';
import { initBackend } from '../src/engine/tfjs/select.js';
import { LlamaModel, disposeAll } from '../src/engine/tfjs/model.js';
import { OrtModel } from '../src/engine/onnx/ort-model.js';
import { Trainer } from '../src/train/trainer.js';
import { mulberry32, normal } from '../src/util/random.js';

const config = parseModelConfig({
  model_type: 'llama',
  vocab_size: 4096,
  hidden_size: 256,
  intermediate_size: 688,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  tie_word_embeddings: false,
});
const rng = mulberry32(42);
const weights = new Map<string, HostTensor>();
for (const [name, shape] of expectedWeightShapes(config)) {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  if (name.endsWith('norm.weight')) data.fill(1);
  else for (let i = 0; i < data.length; i++) data[i] = normal(rng) * 0.02;
  weights.set(name, { shape, data });
}
const windows = Array.from({ length: 8 }, () => Array.from({ length: 128 }, () => Math.floor(rng() * 4096)));
const options = { time: 3000, iterations: 3, warmupIterations: 1 };

// Set up at module level: vitest bench does not wait for async beforeAll hooks the way tests do.
await initBackend('wasm');
const wasm = LlamaModel.fromWeights(config, weights);
const ort1 = new OrtModel(config, weights, { threads: 1 });
const ort2 = new OrtModel(config, weights, { threads: 2 });
await ort2.lossAndGrads(windows, 'mean'); // build the gradient session outside the timed runs
const trainer = await Trainer.open(config, weights, { adam: { lr: 1e-4, weightDecay: 0.1 }, engine: 'ort-cpu', threads: 2, batch: 8, seqLen: 128 });
await trainer.trainStep(windows, 1e-4);

describe('forward+backward, batch 8 × 128', () => {
  bench('wasm (1 thread)', async () => {
    disposeAll((await wasm.lossAndGrads(windows)).grads);
  }, options);
  bench('ort-cpu (2 threads)', async () => {
    await ort2.lossAndGrads(windows, 'mean');
  }, options);
  bench('ort-cpu (2 threads) + clip + AdamW: one training step', async () => {
    await trainer.trainStep(windows, 1e-4);
  }, options);
});

describe('forward, batch 8 × 128', () => {
  bench('wasm (1 thread)', async () => {
    await wasm.windowNll(windows);
  }, options);
  bench('ort-cpu (1 thread)', async () => {
    await ort1.windowNll(windows);
  }, options);
  bench('ort-cpu (2 threads)', async () => {
    await ort2.windowNll(windows);
  }, options);
  afterAll(async () => {
    wasm.dispose();
    await ort1.release();
    await trainer.close();
    await ort2.release();
  });
});
