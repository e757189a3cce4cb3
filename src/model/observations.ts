/**
 * The registry of observations: what the forward-only detectors and Wanda read from a model, each declared once —
 * which of the architecture's observers it listens to (./layers.ts, ./causal-lm.ts) and how it reduces what they
 * see, written over {@link ObservationOps} — and decoded once from its named outputs. The ONNX Runtime model records
 * a declaration as graph outputs, the tfjs model runs it eagerly; neither spells an observation itself. Adding one:
 * a declaration here; every engine's `observe(name, windows)` (./observe.ts) then answers it.
 */
import type { ModelConfig } from '../checkpoint/config.js';
import { layerWeight } from '../checkpoint/names.js';
import { forwardHidden } from './causal-lm.js';
import type { Ops } from './ops.js';
import type { ResidualEdit } from './residual-edit.js';

/** The residual stream and the down_proj maxima of some windows, flat row-major. */
export interface Activations {
  /** After the embedding and after each decoder layer: [layers + 1][batch·seq][d]. */
  hidden: Float32Array;
  /** Per layer, the largest |down_proj input| per FFN channel over the positions: [layers][ffn]. */
  downInMax: Float32Array;
  /** Per layer, the largest |down_proj output| per hidden dim over the positions: [layers][d]. */
  downOutMax: Float32Array;
  /** …per window: [layers][batch][d] (what a bootstrap over the probe's windows resamples). */
  downOutMaxByWindow: Float32Array;
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

/** The reductions observations need, besides the model's {@link Ops}. */
export interface ObservationOps<T> extends Ops<T> {
  abs(x: T): T;
  /** The maximum over `axes`, which are dropped. */
  maxOver(x: T, axes: readonly number[]): T;
  /** The sum over the first axis, which is dropped. */
  sumRows(x: T): T;
  /** 1 where x > 0, else 0. */
  positive(x: T): T;
  /** Concatenation along the first axis. */
  concatFirst(xs: readonly T[]): T;
  /** A float32 constant of zeros. */
  zeros(shape: readonly number[]): T;
}

/** One observation: its outputs recorded during a forward pass of ids [batch, seq], and its result from them. */
export interface ObservationDeclaration<R> {
  /** Records the outputs (by name) from the observers of one forward pass (of the model with `edits` applied to its residual stream). */
  record<T>(o: ObservationOps<T>, config: ModelConfig, ids: T, edits?: readonly ResidualEdit[]): Record<string, T>;
  /** The result from the outputs' host values. */
  decode(outputs: ReadonlyMap<string, Float32Array>, config: ModelConfig): R;
}

/**
 * The residual stream's largest |activation| per hidden dim, at position 0 of the windows and at the other
 * positions, after the embedding and after each decoder layer: [numLayers + 1][2][d], flat.
 */
const residualMaxima: ObservationDeclaration<Float32Array> = {
  record(o, config, ids, edits) {
    const [batch, seq] = o.shape(ids) as [number, number];
    const d = config.hiddenSize;
    const maxima: ReturnType<typeof o.abs>[] = [];
    forwardHidden(o, config, ids, { edits, observe: (_, h) => {
      const a = o.abs(o.reshape(h, [batch, seq, d]));
      maxima.push(o.maxOver(o.slice(a, [0, 0, 0], [batch, 1, d]), [0, 1]));
      // A window of one token has no other positions: its maxima there are 0.
      maxima.push(seq > 1 ? o.maxOver(o.slice(a, [0, 1, 0], [batch, seq - 1, d]), [0, 1]) : o.zeros([d]));
    } });
    return { 'residual-maxima': o.concatFirst(maxima) };
  },
  decode: (out) => out.get('residual-maxima')!,
};

/**
 * The residual stream's sum per hidden dim at position 0 of the windows and over the other positions, after the
 * embedding and after each decoder layer: [numLayers + 1][2][d], flat — what a mean over a probe text is made of
 * (mean-ablation, ../dims/mean-ablation.ts).
 */
const residualSums: ObservationDeclaration<Float32Array> = {
  record(o, config, ids, edits) {
    const [batch, seq] = o.shape(ids) as [number, number];
    const d = config.hiddenSize;
    const sums: ReturnType<typeof o.abs>[] = [];
    forwardHidden(o, config, ids, {
      edits,
      observe: (_, h) => {
        const x = o.reshape(h, [batch, seq, d]);
        sums.push(o.sumRows(o.reshape(o.slice(x, [0, 0, 0], [batch, 1, d]), [batch, d])));
        sums.push(seq > 1 ? o.sumRows(o.reshape(o.slice(x, [0, 1, 0], [batch, seq - 1, d]), [batch * (seq - 1), d])) : o.zeros([d]));
      },
    });
    return { 'residual-sums': o.concatFirst(sums) };
  },
  decode: (out) => out.get('residual-sums')!,
};

/** Every residual-stream activation and the down_proj input/output maxima (the massive-activation and super-weight detectors). */
const activations: ObservationDeclaration<Activations> = {
  record(o, config, ids, edits) {
    const [batch, seq] = o.shape(ids) as [number, number];
    const n = batch * seq;
    const hidden: ReturnType<typeof o.abs>[] = [];
    const downIn: ReturnType<typeof o.abs>[] = [];
    const downOut: ReturnType<typeof o.abs>[] = [];
    forwardHidden(o, config, ids, {
      edits,
      observe: (_, h) => hidden.push(o.reshape(h, [1, n, config.hiddenSize])),
      observeDownProj: (_, input, output) => {
        downIn.push(o.maxOver(o.abs(input), [0]));
        // Per window: [batch, seq, d] → [batch, d]; the maximum over windows is taken on the host.
        downOut.push(o.maxOver(o.abs(o.reshape(output, [batch, seq, config.hiddenSize])), [1]));
      },
    });
    return { hidden: o.concatFirst(hidden), 'down-in-max': o.concatFirst(downIn), 'down-out-max': o.concatFirst(downOut) };
  },
  decode(out, config) {
    const byWindow = out.get('down-out-max')!;
    const d = config.hiddenSize;
    const windows = byWindow.length / (config.numLayers * d);
    const downOutMax = new Float32Array(config.numLayers * d);
    for (let l = 0; l < config.numLayers; l++) {
      for (let b = 0; b < windows; b++) {
        for (let k = 0; k < d; k++) downOutMax[l * d + k] = Math.max(downOutMax[l * d + k]!, byWindow[(l * windows + b) * d + k]!);
      }
    }
    return { hidden: out.get('hidden')!, downInMax: out.get('down-in-max')!, downOutMax, downOutMaxByWindow: byWindow };
  },
};

/** Per layer and FFN neuron, at how many positions the gate's output is > 0 (where SiLU and GeLU are): [layers·ffn]. */
const gatePositive: ObservationDeclaration<Float32Array> = {
  record(o, config, ids, edits) {
    const counts: ReturnType<typeof o.abs>[] = [];
    // The count in float32: exact up to 2²⁴ positions.
    forwardHidden(o, config, ids, { edits, observeDownProj: (_, _input, _output, gate) => counts.push(o.sumRows(o.positive(gate))) });
    return { 'gate-positive': o.concatFirst(counts) };
  },
  decode: (out) => out.get('gate-positive')!,
};

/** Σ over positions of x_j² per input channel of every linear weight, by weight name (q/k/v share one array, as gate/up do). */
const inputSquareSums: ObservationDeclaration<Map<string, Float32Array>> = {
  record(o, config, ids, edits) {
    const out: Record<string, ReturnType<typeof o.abs>> = {};
    let k = 0;
    forwardHidden(o, config, ids, {
      edits,
      observeLinearInput: (_, _weights, x) => {
        out[`sq.${k++}`] = o.sumRows(o.mul(x, x));
      },
    });
    return out;
  },
  decode(out, config) {
    const sums = new Map<string, Float32Array>();
    linearInputs(config).forEach((weights, k) => {
      const sq = out.get(`sq.${k}`)!;
      for (const w of weights) sums.set(w, sq);
    });
    return sums;
  },
};

/** Every observation, by the name engines and caches know it by. */
export const OBSERVATIONS = {
  'residual-maxima': residualMaxima,
  'residual-sums': residualSums,
  activations,
  'gate-positive': gatePositive,
  'input-square-sums': inputSquareSums,
} as const;

export type ObservationName = keyof typeof OBSERVATIONS;

/** Whether a name is an observation's. */
export const isObservation = (name: string): name is ObservationName => Object.hasOwn(OBSERVATIONS, name);
/** An observation's result type. */
export type ObservationResult<N extends ObservationName> = (typeof OBSERVATIONS)[N] extends ObservationDeclaration<infer R> ? R : never;
