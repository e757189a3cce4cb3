/**
 * What a model's jobs cost in floating-point operations, what this machine does per second, and so how long a job
 * will take — decided from config.json and a second of measurement, before a weight is read (`regions plan`).
 *
 * The rate is measured, not assumed: ONNX Runtime's float32 MatMul at the shapes a forward pass multiplies
 * ([tokens, d] · [d, ffn]), timed with tinybench on this machine's threads. A job reaches a share of that rate —
 * {@link EFFICIENCY}, from the project's own measurements on the real-size shapes (docs/performance.md, "Memory and plan") —
 * and the estimate is the job's operations over that.
 */
import * as ort from 'onnxruntime-node';
import { Bench } from 'tinybench';
import type { ModelConfig } from '../checkpoint/config.js';
import { parameterCount } from './memory.js';
import { GraphBuilder } from './onnx/graph.js';

/** Multiply-adds ×2 of the weights' matrix products per token (the LM head included; embeddings are a lookup). */
export function matmulFlopsPerToken(config: ModelConfig): number {
  const { hiddenSize: d, intermediateSize: ffn, numHeads, numKvHeads, headDim, vocabSize, numLayers } = config;
  const attention = d * numHeads * headDim * 2 + d * numKvHeads * headDim * 2; // q and o, k and v
  const mlp = 3 * d * ffn; // gate, up, down
  return 2 * (numLayers * (attention + mlp) + d * vocabSize);
}

/** Floating-point operations of one forward pass per token of windows of `seqLen`: the matrix products and the attention's two (computed over the whole window). */
export function forwardFlopsPerToken(config: ModelConfig, seqLen: number): number {
  return matmulFlopsPerToken(config) + 2 * 2 * config.numLayers * seqLen * config.numHeads * config.headDim;
}

/** A gradient pass costs its forward pass and a backward pass of twice the operations. */
export const BACKWARD_FACTOR = 3;

/**
 * The share of the measured MatMul rate a job reaches, from the project's measurements on this machine kind
 * (docs/performance.md, "Memory and plan": the real-size shapes' `regions ppl` and `regions importance` against the rate
 * measured in the same session): forward passes (batches of 8 × 128 tokens, the logits in chunks) and gradient passes.
 */
export const EFFICIENCY = { forward: 0.75, gradient: 0.5 } as const;

/** What a job does: forward passes over `tokens` tokens, gradient passes, or training steps (a gradient pass each). */
export interface JobWork {
  forwardTokens: number;
  gradientTokens: number;
  seqLen: number;
  /** Slices the gradient passes compute the gradients in (importance; default 1): see {@link sliceTimeFactor}. */
  gradientSlices?: number;
}

/**
 * How much longer gradient passes take in `slices` slices of the weights than all at once: each slice reads the
 * windows again (its forward pass and the backward down to its first weight), but computes only its own weights'
 * gradients. Measured on the TinyLlama-1.1B shape (one pass of 8 × 128 tokens, 2 threads): ×1.19 in 2 slices, ×1.50
 * in 4 (docs/performance.md, "Memory and plan"): about 1 + (slices − 1) / 6.
 */
export function sliceTimeFactor(slices: number): number {
  return 1 + (slices - 1) / 6;
}

/**
 * Seconds of setting up, per parameter, before the first pass: reading and widening the weights, and building the
 * graph and its session — the gradient graph's far longer (measured on the Qwen3-0.6B and Gemma-3-1B shapes: a one-pass
 * importance run took 37 and 80 s more than its operations, a one-pass perplexity 2 and 11 s more).
 */
export const SETUP_SECONDS_PER_PARAMETER = { forward: 1e-8, gradient: 7e-8 } as const;

/** Seconds `work` should take on `config`'s model at `gflops` (the measured MatMul rate, GFLOP/s), setting up included. */
export function estimateSeconds(config: ModelConfig, work: JobWork, gflops: number): number {
  const perToken = forwardFlopsPerToken(config, work.seqLen);
  const rate = gflops * 1e9;
  const parameters = parameterCount(config);
  const setup = (work.forwardTokens > 0 ? SETUP_SECONDS_PER_PARAMETER.forward : 0) + (work.gradientTokens > 0 ? SETUP_SECONDS_PER_PARAMETER.gradient : 0);
  return (
    parameters * setup +
    (work.forwardTokens * perToken) / (rate * EFFICIENCY.forward) +
    (work.gradientTokens * perToken * BACKWARD_FACTOR * sliceTimeFactor(work.gradientSlices ?? 1)) / (rate * EFFICIENCY.gradient)
  );
}

/** The measured rate: GFLOP/s of a float32 [m, k]·[k, n] MatMul, its spread, and how it was measured. */
export interface MatmulRate {
  gflops: number;
  /** Relative margin of error of the mean time (tinybench's rme, %). */
  rme: number;
  shape: [number, number, number];
  threads: number;
  samples: number;
}

/**
 * Times ONNX Runtime's float32 MatMul of [m, k]·[k, n] on `threads` intra-op threads for about `seconds` (tinybench,
 * after a warm-up) and gives its rate. Default shape: 1,024 tokens × 1,024 × 2,048 — a forward pass's FFN product.
 */
export async function measureMatmulRate(options: { threads: number; seconds?: number; shape?: [number, number, number] }): Promise<MatmulRate> {
  const [m, k, n] = options.shape ?? [1024, 1024, 2048];
  const g = new GraphBuilder();
  const a = g.input('a', 'float32', [m, k]);
  const b = g.input('b', 'float32', [k, n]);
  g.output(g.node('MatMul', [a, b], [m, n]), 'c');
  const session = await ort.InferenceSession.create(g.toBytes('matmul-rate'), {
    executionProviders: ['cpu'],
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  try {
    const fill = (size: number) => Float32Array.from({ length: size }, (_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5);
    const feeds = { a: new ort.Tensor('float32', fill(m * k), [m, k]), b: new ort.Tensor('float32', fill(k * n), [k, n]) };
    const run = async () => {
      const out = await session.run(feeds);
      for (const t of Object.values(out)) t.dispose();
    };
    const bench = new Bench({ time: (options.seconds ?? 1) * 1000, warmupTime: 100, warmupIterations: 2 });
    bench.add('matmul', run);
    await bench.warmup();
    await bench.run();
    const result = bench.tasks[0]!.result!;
    if (result.error !== undefined) throw result.error;
    return { gflops: (2 * m * k * n) / (result.mean / 1000) / 1e9, rme: result.rme, shape: [m, k, n], threads: options.threads, samples: result.samples.length };
  } finally {
    await session.release();
  }
}
