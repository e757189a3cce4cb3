import type { Windows } from './batch.js';

/**
 * The loss a gradient is taken of: `mean` over every predicted token, or `sum-of-window-means` (each window's own
 * mean NLL, summed over the windows: the paper's importance objective).
 */
export type LossObjective = 'mean' | 'sum-of-window-means';

/** The loss over some windows and its gradients, as host arrays by HF name. */
export interface HostLossAndGrads {
  loss: number;
  tokens: number;
  grads: Map<string, Float32Array>;
}

/**
 * What every engine's model computes for importance: the loss over a batch of windows and its gradients on the
 * host. The tfjs `LlamaModel` and the ONNX Runtime `OrtModel` both are one, so importance needs neither engine's
 * tensors (and loads no engine it does not run).
 */
export interface GradientModel {
  /** Loss and d loss / d weight of `names` (default: every weight), as host arrays. */
  hostLossAndGrads(windows: Windows, objective: LossObjective, names?: readonly string[]): Promise<HostLossAndGrads>;
  /** The engine in words, as importance provenance records it: "onnxruntime 1.30.0 cpu (2 threads)", "wasm (…)". */
  readonly description: string;
}
