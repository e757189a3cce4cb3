/**
 * What the forward-only detectors read from a model (src/detect/, Wanda in src/importance/wanda.ts): the same
 * observations on every engine, each declared once in ./observations.ts — the ONNX Runtime model records them as
 * graph outputs, the tfjs model runs them eagerly — from the one architecture in ./layers.ts and ./causal-lm.ts (its
 * observers).
 */
import type { Windows } from './batch.js';
import type { ForwardModel } from './forward-model.js';
import type { ObservationName, ObservationResult } from './observations.js';

export type { Activations } from './observations.js';
export { linearInputs } from './observations.js';

/** A model the detectors can observe: forward passes, weights, and the observations of the registry. */
export interface ObservableModel extends ForwardModel {
  weightShape(name: string): readonly number[];
  readWeight(name: string): Promise<Float32Array>;
  /**
   * An observation of the registry (./observations.ts) over windows of one length: `activations` holds every
   * residual-stream activation (run it on a few windows), `residual-maxima` max |h| per hidden dim at position 0 and
   * at the others ([layers + 1, 2, d], flat), `gate-positive` how many positions each FFN neuron's gate is > 0
   * ([layers·ffn]), `input-square-sums` Σ x_j² per input channel of every linear weight, by weight name.
   */
  observe<N extends ObservationName>(name: N, windows: Windows): Promise<ObservationResult<N>>;
}

/** Whether an engine's model offers the observations (the tfjs and ONNX Runtime models both do). */
export function isObservable(model: ForwardModel): model is ObservableModel {
  return typeof (model as Partial<ObservableModel>).observe === 'function';
}
