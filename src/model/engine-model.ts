import type { ForwardModel } from './forward-model.js';
import type { GradientModel } from './gradient-model.js';
import type { ObservableModel } from './observe.js';
import type { Perturbable } from './perturbable.js';

/**
 * A model on one of the engines — what the subject, importance, the detectors and the perturbations use, whichever
 * engine runs it: forward passes and per-window NLL ({@link ForwardModel}), the loss and its gradients as host
 * arrays ({@link GradientModel}), observations of the residual stream and the linear layers' inputs
 * ({@link ObservableModel}), and its weights by HF name, read or viewed with some replaced ({@link Perturbable}).
 * The ONNX Runtime `OrtModel` (../engine/onnx/) and the tfjs `LlamaModel` (../engine/tfjs/) implement it; `kind`
 * tells them apart where a caller must (never a class test outside src/engine/). Opening one, what ran and
 * closing it: ../engine/select.ts.
 */
export interface EngineModel extends ForwardModel, GradientModel, ObservableModel, Perturbable {
  readonly kind: 'onnxruntime' | 'tfjs';
}
