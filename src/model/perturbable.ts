import type { ModelConfig } from '../checkpoint/config.js';
import type { ResidualEdit } from './residual-edit.js';

/**
 * A view of a model with some weights replaced (see {@link Perturbable.overlay}): `model` reads the
 * replacements and shares everything else with the model it was made from, which never changes.
 */
export interface Overlay<M> {
  /** The model with the replacements in place. Used until {@link release}, never after. */
  readonly model: M;
  /** Frees what the view holds of its own (on tfjs, the uploaded replacements); the shared weights stay. */
  release(): void;
}

/**
 * What a perturbation is applied to: a model whose weights can be read by HF name, and viewed with some of
 * them replaced. The ONNX Runtime model (host arrays, read at every run) and the tfjs model (tensors) both
 * are one; edits are computed on the host, once, in one place (../perturb/internals/edit.ts), whatever the
 * engine.
 *
 * There is no way to change a Perturbable's weights in place: a perturbation is an {@link Overlay}, so
 * measurements that overlap (`Promise.all`, `test.concurrent`, a timed-out test still running) each see the
 * weights they asked for, and the model's own weights are the checkpoint's for as long as it lives.
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
   * A view of this model that reads `replacements` (HF name → the weight's shape, row-major; the view takes
   * them and never writes them) in place of those weights, and applies `edits` to its residual stream in every
   * forward pass (./residual-edit.ts; after the edits of the model it views). This model is not changed.
   * @throws Error for an unknown name or a replacement of the wrong size; RangeError for an edit outside the model.
   */
  overlay(replacements: ReadonlyMap<string, Float32Array>, edits?: readonly ResidualEdit[]): Overlay<this>;
}
