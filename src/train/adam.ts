import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/model.js';

/** AdamW settings (HF Trainer defaults except the learning rate). */
export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (AdamW); the paper's further pre-training uses 0.001. Never applied to norms. */
  weightDecay?: number;
}

/** Per-weight boolean masks (same shape as the weight; true = frozen). Weights without a mask train fully. */
export type FrozenMasks = ReadonlyMap<string, tf.Tensor>;

/** Host copy of the optimizer state, for resumable training. */
export interface AdamState {
  step: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

/**
 * AdamW whose update can be masked per element: frozen entries are copied through `tf.where`, so they
 * stay bit-identical to their value before the step (the paper's frozen further pre-training).
 * It owns its moment tensors; call {@link dispose}.
 */
export class MaskedAdam {
  readonly options: Required<AdamOptions>;
  #step = 0;
  readonly #m = new Map<string, tf.Tensor>();
  readonly #v = new Map<string, tf.Tensor>();

  constructor(options: AdamOptions) {
    if (!(options.lr > 0)) throw new Error(`Adam: lr must be > 0 (got ${options.lr})`);
    this.options = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, ...options };
  }

  get step(): number {
    return this.#step;
  }

  /** Applies one update to the model's weights from `grads`. `lr` overrides the configured rate (schedules). */
  apply(model: LlamaModel, grads: ReadonlyMap<string, tf.Tensor>, frozen?: FrozenMasks, lr = this.options.lr): void {
    this.#step++;
    const { beta1, beta2, eps, weightDecay } = this.options;
    const c1 = 1 - Math.pow(beta1, this.#step);
    const c2 = 1 - Math.pow(beta2, this.#step);
    for (const [name, g] of grads) {
      const w = model.weight(name);
      const m0 = this.#m.get(name);
      const v0 = this.#v.get(name);
      const decay = name.endsWith('norm.weight') || name.endsWith('.bias') ? 0 : weightDecay;
      const [m1, v1, w1] = tf.tidy(() => {
        const m = m0 === undefined ? tf.mul(g, 1 - beta1) : tf.add(tf.mul(m0, beta1), tf.mul(g, 1 - beta1));
        const v = v0 === undefined ? tf.mul(tf.square(g), 1 - beta2) : tf.add(tf.mul(v0, beta2), tf.mul(tf.square(g), 1 - beta2));
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        let next = tf.sub(w, tf.mul(update, lr));
        if (decay > 0) next = tf.sub(next, tf.mul(w, lr * decay));
        const mask = frozen?.get(name);
        if (mask !== undefined) next = tf.where(mask, w, next);
        return [m, v, next];
      });
      m0?.dispose();
      v0?.dispose();
      this.#m.set(name, m1);
      this.#v.set(name, v1);
      model.swapWeight(name, w1).dispose();
    }
  }

  /** Copies the moments to host memory. */
  async state(): Promise<AdamState> {
    const m = new Map<string, Float32Array>();
    const v = new Map<string, Float32Array>();
    for (const [k, t] of this.#m) m.set(k, (await t.data()) as Float32Array);
    for (const [k, t] of this.#v) v.set(k, (await t.data()) as Float32Array);
    return { step: this.#step, m, v };
  }

  /** Restores moments saved by {@link state}; shapes are taken from the model's weights. */
  load(model: LlamaModel, state: AdamState): void {
    this.dispose();
    this.#step = state.step;
    for (const [k, d] of state.m) this.#m.set(k, tf.tensor(d, model.weight(k).shape));
    for (const [k, d] of state.v) this.#v.set(k, tf.tensor(d, model.weight(k).shape));
  }

  /** Frees the moment tensors. */
  dispose(): void {
    for (const t of this.#m.values()) t.dispose();
    for (const t of this.#v.values()) t.dispose();
    this.#m.clear();
    this.#v.clear();
  }
}
