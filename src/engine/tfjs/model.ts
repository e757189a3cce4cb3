import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../checkpoint/config.js';
import type { HostTensor } from '../../checkpoint/types.js';
import { forwardLogits, tokenNll } from './forward.js';
import type { ObservableModel } from '../../model/observe.js';
import { tfjsObservationOps } from './ops.js';
import { OBSERVATIONS, type ObservationName, type ObservationResult } from '../../model/observations.js';
import type { Overlay, Perturbable } from '../../model/perturbable.js';
import { checkEdits, type ResidualEdit } from '../../model/residual-edit.js';
import type { GradientModel, HostLossAndGrads, LossObjective } from '../../model/gradient-model.js';
import { currentBackend } from './select.js';
import { checkWindows, type WindowNll, type Windows } from '../../model/batch.js';
import type { Params } from './ops.js';

export type { WindowNll, Windows } from '../../model/batch.js';


export type { LossObjective } from '../../model/gradient-model.js';

/** Result of {@link LlamaModel.lossAndGrads}. The caller owns `grads` (dispose with {@link disposeAll}). */
export interface LossAndGrads {
  loss: number;
  tokens: number;
  grads: Map<string, tf.Tensor>;
}


/** Disposes every tensor of a map. */
export function disposeAll(tensors: ReadonlyMap<string, tf.Tensor>): void {
  for (const t of tensors.values()) t.dispose();
}

/**
 * A LLaMA-family causal language model held as tfjs tensors addressed by their HF names.
 * Every method owns its intermediate tensors: tf.memory().numTensors is the same before and after.
 */
export class LlamaModel implements Perturbable, ObservableModel, GradientModel {
  /** Which engine: tfjs (ONNX Runtime's model says 'onnxruntime'). */
  readonly kind = 'tfjs' as const;
  readonly config: ModelConfig;
  readonly #params = new Map<string, tf.Tensor>();
  /** The model this one is an {@link overlay} of, or null for a model that owns its tensors. */
  #viewOf: LlamaModel | null = null;
  /** Residual-stream edits every forward pass of this view applies (an overlay's; none on a model of its own). */
  #edits: readonly ResidualEdit[] = [];

  private constructor(config: ModelConfig) {
    this.config = config;
  }

  /** Uploads host weights (HF names → float32) to the current tfjs backend. */
  static fromWeights(config: ModelConfig, weights: ReadonlyMap<string, HostTensor>): LlamaModel {
    const model = new LlamaModel(config);
    for (const [name, w] of weights) model.#params.set(name, tf.tensor(w.data, w.shape, 'float32'));
    return model;
  }

  /** The weights, by HF name (read-only; {@link overlay} views it with some replaced). */
  get params(): Params {
    return this.#params;
  }

  /** HF names of all weights, in checkpoint order. */
  weightNames(): string[] {
    return [...this.#params.keys()];
  }

  /** The tensor of one weight. Throws for an unknown name. */
  weight(name: string): tf.Tensor {
    const t = this.#params.get(name);
    if (t === undefined) throw new Error(`no weight named ${name} (the model has ${this.#params.size} weights, e.g. ${this.weightNames()[0]})`);
    return t;
  }

  /** The shape of one weight (see {@link Perturbable}). */
  weightShape(name: string): readonly number[] {
    return this.weight(name).shape;
  }

  /** The current values of one weight, read back from the backend. */
  async readWeight(name: string): Promise<Float32Array> {
    return (await this.weight(name).data()) as Float32Array;
  }

  /**
   * A view that reads uploads of `replacements` in place of those weights and shares every other tensor with
   * this model, which is not changed (see {@link Perturbable}). `release` disposes the uploads; disposing
   * the view itself is refused (its other tensors are this model's).
   */
  overlay(replacements: ReadonlyMap<string, Float32Array>, edits: readonly ResidualEdit[] = []): Overlay<this> {
    checkEdits(this.config, edits);
    for (const [name, data] of replacements) {
      const size = this.weight(name).size;
      if (data.length !== size) throw new Error(`weight ${name} has ${size} values but the replacement has ${data.length}`);
    }
    const view = new LlamaModel(this.config);
    view.#viewOf = this;
    view.#edits = [...this.#edits, ...edits];
    const uploads: tf.Tensor[] = [];
    for (const [name, t] of this.#params) {
      const data = replacements.get(name);
      const upload = data === undefined ? null : tf.tensor(data, t.shape, 'float32');
      if (upload !== null) uploads.push(upload);
      view.#params.set(name, upload ?? t);
    }
    return { model: view as this, release: () => tf.dispose(uploads) };
  }

  /** Reads all weights back to host memory (for saving). */
  async toHost(): Promise<Map<string, HostTensor>> {
    const out = new Map<string, HostTensor>();
    for (const [name, t] of this.#params) out.set(name, { shape: [...t.shape], data: (await t.data()) as Float32Array });
    return out;
  }

  /** Logits of every position: [batch][seq][vocab] as one flat Float32Array (row-major). */
  async logits(windows: Windows): Promise<Float32Array> {
    const { batch, seq, flat } = checkWindows(windows, this.config, 1);
    const logits = tf.tidy(() => forwardLogits(this.#params, this.config, tf.tensor2d(flat, [batch, seq], 'int32'), undefined, this.#edits));
    try {
      return (await logits.data()) as Float32Array;
    } finally {
      logits.dispose();
    }
  }

  /** An observation of the registry (../../model/observations.ts), run eagerly and decoded. */
  async observe<N extends ObservationName>(name: N, windows: Windows): Promise<ObservationResult<N>> {
    const { batch, seq, flat } = checkWindows(windows, this.config, 1);
    const outputs = tf.tidy(() => OBSERVATIONS[name].record(tfjsObservationOps(this.#params), this.config, tf.tensor2d(flat, [batch, seq], 'int32'), this.#edits));
    try {
      const host = new Map<string, Float32Array>();
      for (const [key, t] of Object.entries(outputs)) host.set(key, (await t.data()) as Float32Array);
      return OBSERVATIONS[name].decode(host, this.config) as ObservationResult<N>;
    } finally {
      tf.dispose(Object.values(outputs));
    }
  }


  /** Per-window NLL sums (nats) and predicted-token counts; no gradients. */
  async windowNll(windows: Windows): Promise<WindowNll[]> {
    const { batch, seq, flat } = checkWindows(windows, this.config);
    const sums = tf.tidy(() =>
      tf.sum(tokenNll(this.#params, this.config, tf.tensor2d(flat, [batch, seq], 'int32'), this.#edits), 1),
    );
    try {
      const data = await sums.data();
      return Array.from(data, (nllSum) => ({ nllSum, tokens: seq - 1 }));
    } finally {
      sums.dispose();
    }
  }

  /**
   * The loss over the windows and its gradient with respect to every weight (no update).
   * `names` restricts the gradients to those weights (default: all).
   */
  async lossAndGrads(windows: Windows, objective: LossObjective = 'mean', names?: readonly string[]): Promise<LossAndGrads> {
    const { batch, seq, flat } = checkWindows(windows, this.config);
    const wrt = names ?? this.weightNames();
    const { value, grads } = tf.tidy(() => {
      const ids = tf.tensor2d(flat, [batch, seq], 'int32');
      const lossFn = (...ws: tf.Tensor[]): tf.Scalar => {
        const params = new Map(this.#params);
        wrt.forEach((name, k) => params.set(name, ws[k]!));
        const nll = tokenNll(params, this.config, ids, this.#edits);
        // 'mean' over batch·(seq−1) tokens; 'sum-of-window-means' = batch × that, for equal-length windows.
        const mean = tf.mean(nll) as tf.Scalar;
        return objective === 'mean' ? mean : (tf.mul(mean, batch) as tf.Scalar);
      };
      return tf.valueAndGrads(lossFn)(wrt.map((name) => this.weight(name)));
    });
    try {
      const loss = (await value.data())[0]!;
      return { loss, tokens: batch * (seq - 1), grads: new Map(wrt.map((name, k) => [name, grads[k]!])) };
    } finally {
      value.dispose();
    }
  }

  /** {@link lossAndGrads} with the gradients downloaded to host arrays (the tensors are freed). */
  async hostLossAndGrads(windows: Windows, objective: LossObjective = 'mean', names?: readonly string[]): Promise<HostLossAndGrads> {
    const r = await this.lossAndGrads(windows, objective, names);
    try {
      const grads = new Map<string, Float32Array>();
      for (const [name, g] of r.grads) grads.set(name, Float32Array.from(await g.data()));
      return { loss: r.loss, tokens: r.tokens, grads };
    } finally {
      disposeAll(r.grads);
    }
  }

  /** "wasm (tfjs wasm backend on CPU: …)": the tfjs backend in words, as importance provenance records it. */
  get description(): string {
    const info = currentBackend();
    return info === undefined ? tf.getBackend() : `${info.name} (${info.device})`;
  }

  /** Frees every weight. The model is unusable afterwards. */
  dispose(): void {
    if (this.#viewOf !== null) throw new Error('dispose: this model is an overlay view sharing its tensors; release the overlay instead');
    disposeAll(this.#params);
    this.#params.clear();
  }
}
