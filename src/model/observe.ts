/**
 * What the forward-only detectors read from a model (src/detect/, Wanda in src/importance/wanda.ts): the same
 * observations on every engine, each declared once in ./observations.ts — the ONNX Runtime model records them as
 * graph outputs, the tfjs model runs them eagerly — from the one architecture in ./layers.ts and ./causal-lm.ts (its
 * observers).
 */
import type { ModelConfig } from '../checkpoint/config.js';
import { layerWeight } from '../checkpoint/names.js';
import type { Windows } from './batch.js';
import type { ForwardModel } from './forward-model.js';

/** The residual stream and the down_proj maxima of some windows, flat row-major. */
export interface Activations {
  /** After the embedding and after each decoder layer: [layers + 1][batch·seq][d]. */
  hidden: Float32Array;
  /** Per layer, the largest |down_proj input| per FFN channel over the positions: [layers][ffn]. */
  downInMax: Float32Array;
  /** Per layer, the largest |down_proj output| per hidden dim over the positions: [layers][d]. */
  downOutMax: Float32Array;
}

/** A model the detectors can observe: forward passes, weights, and the three observations. */
export interface ObservableModel extends ForwardModel {
  weightShape(name: string): readonly number[];
  readWeight(name: string): Promise<Float32Array>;
  /** Every residual-stream activation and the down_proj maxima of windows of one length (run it on a few). */
  activations(windows: Windows): Promise<Activations>;
  /** Per observed layer (the embedding output, then each decoder layer), max |h| per hidden dim at position 0 and at the others: [layers + 1, 2, d], flat. */
  residualMaxima(windows: Windows): Promise<Float32Array>;
  /** Per layer and FFN neuron, at how many positions the gate's output is > 0 (where SiLU and GeLU are > 0): [layers·ffn]. */
  gatePositiveCounts(windows: Windows): Promise<Float32Array>;
  /** Σ over positions of x_j² per input channel of every linear weight, by weight name (q/k/v and gate/up share one array). */
  inputSquareSums(windows: Windows): Promise<Map<string, Float32Array>>;
}

/** The linear layers' inputs in the order the linear-input observer sees them: the weights that read each. */
export function linearInputs(config: ModelConfig): string[][] {
  const out: string[][] = [];
  const w = layerWeight;
  for (let i = 0; i < config.numLayers; i++) {
    if (config.block.fused) out.push([w(i, 'qkv_proj')], [w(i, 'o_proj')], [w(i, 'gate_up_proj')], [w(i, 'down_proj')]);
    else out.push([w(i, 'q_proj'), w(i, 'k_proj'), w(i, 'v_proj')], [w(i, 'o_proj')], [w(i, 'gate_proj'), w(i, 'up_proj')], [w(i, 'down_proj')]);
  }
  return out;
}

/** Whether an engine's model offers the observations (the tfjs and ONNX Runtime models both do). */
export function isObservable(model: ForwardModel): model is ObservableModel {
  const m = model as Partial<ObservableModel>;
  return typeof m.activations === 'function' && typeof m.gatePositiveCounts === 'function' && typeof m.inputSquareSums === 'function';
}
