/**
 * AdamW on host arrays, whose update can be masked per element: the paper's frozen further
 * pre-training keeps a region's entries fixed, and here they are never written, so they stay bit-identical.
 * The arithmetic is torch.optim.AdamW's (decoupled decay first, then the bias-corrected step), in float64
 * per element, rounded to float32 once when stored (test/train/adam.test.ts checks it against PyTorch).
 */
import { isNormWeight } from '../checkpoint/names.js';

/** AdamW settings (torch.optim.AdamW's defaults except the learning rate and weight decay). */
export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (AdamW); the paper's further pre-training uses 0.001. Never applied to norms or biases. */
  weightDecay?: number;
}

/** Per-weight 0/1 masks (same length as the weight; 1 = frozen). Weights without a mask train fully. */
export type FrozenMasks = ReadonlyMap<string, Uint8Array>;

/** The optimizer state (moments by weight name, and the step count), for resumable training. */
export interface AdamState {
  step: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

/** Weights AdamW never decays: norm gains and biases (HF Trainer's no-decay rule). */
export function isDecayed(name: string): boolean {
  return !(isNormWeight(name) || name.endsWith('.bias'));
}

function withDefaults(o: AdamOptions): Required<AdamOptions> {
  const s = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, ...o };
  const bad = (field: string, want: string, got: number) => new Error(`AdamW: ${field} must be ${want} (got ${got})`);
  if (!(s.lr > 0) || !Number.isFinite(s.lr)) throw bad('lr', '> 0', s.lr);
  if (!(s.beta1 >= 0 && s.beta1 < 1)) throw bad('beta1', 'in [0, 1)', s.beta1);
  if (!(s.beta2 >= 0 && s.beta2 < 1)) throw bad('beta2', 'in [0, 1)', s.beta2);
  if (!(s.eps > 0)) throw bad('eps', '> 0', s.eps);
  if (!(s.weightDecay >= 0)) throw bad('weightDecay', '≥ 0', s.weightDecay);
  return s;
}

/** AdamW over named host arrays; it owns its moments (two float32 arrays per trained weight). */
export class AdamW {
  readonly options: Required<AdamOptions>;
  #step = 0;
  readonly #m = new Map<string, Float32Array>();
  readonly #v = new Map<string, Float32Array>();

  /** @param state moments and step count to resume from (copied). */
  constructor(options: AdamOptions, state?: AdamState) {
    this.options = withDefaults(options);
    if (state !== undefined) {
      this.#step = state.step;
      for (const [k, d] of state.m) this.#m.set(k, Float32Array.from(d));
      for (const [k, d] of state.v) this.#v.set(k, Float32Array.from(d));
    }
  }

  get step(): number {
    return this.#step;
  }

  /**
   * One update of `weights` (edited in place) from `grads` × `gradScale` (a clipping factor). `lr`
   * overrides the configured rate (schedules). Frozen entries are never written; their moments still
   * follow the gradient, as torch's would. Only the weights named in `grads` change.
   * @throws Error, before changing anything, when a gradient or mask does not fit its weight.
   */
  apply(
    weights: ReadonlyMap<string, Float32Array>,
    grads: ReadonlyMap<string, Float32Array>,
    options: { frozen?: FrozenMasks; lr?: number; gradScale?: number } = {},
  ): void {
    const lr = options.lr ?? this.options.lr;
    const scale = options.gradScale ?? 1;
    for (const [name, g] of grads) {
      const w = weights.get(name);
      if (w === undefined) throw new Error(`AdamW: a gradient names ${name}, which is not among the weights`);
      if (g.length !== w.length) throw new Error(`AdamW: the gradient of ${name} has ${g.length} values but the weight has ${w.length}`);
      const mask = options.frozen?.get(name);
      if (mask !== undefined && mask.length !== w.length) throw new Error(`AdamW: the frozen mask of ${name} has ${mask.length} values but the weight has ${w.length}`);
    }
    this.#step++;
    const { beta1, beta2, eps, weightDecay } = this.options;
    const stepSize = lr / (1 - Math.pow(beta1, this.#step));
    const c2 = Math.sqrt(1 - Math.pow(beta2, this.#step));
    for (const [name, g] of grads) {
      const w = weights.get(name)!;
      let m = this.#m.get(name);
      let v = this.#v.get(name);
      if (m === undefined || v === undefined) {
        m = new Float32Array(w.length);
        v = new Float32Array(w.length);
        this.#m.set(name, m);
        this.#v.set(name, v);
      }
      const keep = isDecayed(name) ? 1 - lr * weightDecay : 1;
      const mask = options.frozen?.get(name);
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]! * scale;
        m[i] = beta1 * m[i]! + (1 - beta1) * gi;
        v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
        if (mask !== undefined && mask[i] !== 0) continue;
        // torch: p ← p·(1 − lr·wd); p ← p − (lr / bc1) · m / (√v / √bc2 + eps), with the stored (float32) moments.
        w[i] = w[i]! * keep - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / c2 + eps);
      }
    }
  }

  /** A copy of the moments and step count. */
  state(): AdamState {
    const copy = (src: Map<string, Float32Array>) => new Map([...src].map(([k, d]) => [k, Float32Array.from(d)]));
    return { step: this.#step, m: copy(this.#m), v: copy(this.#v) };
  }
}
