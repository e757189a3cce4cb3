import type { ModelConfig } from '../checkpoint/config.js';

/**
 * What a perturbation is applied to: a model whose weights can be read and replaced by HF name. The
 * ONNX Runtime model (host arrays, read at every run) and the tfjs model (tensors) both are one; edits are
 * computed on the host, once, in one place (../perturb/internals/edit.ts), whatever the engine.
 */
export interface Perturbable {
  readonly config: ModelConfig;
  /** HF names of all weights, in checkpoint order. */
  weightNames(): string[];
  /** The shape of a weight; throws for an unknown name. */
  weightShape(name: string): readonly number[];
  /** The current values of a weight (row-major). The caller never writes them. */
  readWeight(name: string): Promise<Float32Array>;
  /**
   * Puts `data` (the weight's shape, row-major; the model takes it) in place of weight `name`, and returns
   * the function that puts the replaced weight back exactly — the same object, so the same bits.
   */
  replaceWeight(name: string, data: Float32Array): () => void;
}
