import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdamW, isDecayed } from '../../src/train/adam.js';

/** torch.optim.AdamW on fixed gradients, four steps (scripts/reference/make_adamw_reference.py). */
interface Reference {
  hyper: { beta1: number; beta2: number; eps: number; weight_decay: number };
  lrs: number[];
  shapes: Record<string, number[]>;
  init: Record<string, number[]>;
  grads: Record<string, number[]>[];
  steps: Record<string, { param: number[]; m: number[]; v: number[] }>[];
}
const ref = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/adamw/expected.json'), 'utf8')) as Reference;

/** Largest |a − b| over the entries, relative to the reference's largest |entry|. */
function relError(got: Float32Array, want: readonly number[]): number {
  const scale = Math.max(...want.map(Math.abs));
  return Math.max(...want.map((w, i) => Math.abs(got[i]! - w))) / scale;
}

describe('AdamW', () => {
  it('matches torch.optim.AdamW step by step: parameters and both moments within 2e-6 of each tensor’s largest entry', () => {
    const adam = new AdamW({ lr: 1, beta1: ref.hyper.beta1, beta2: ref.hyper.beta2, eps: ref.hyper.eps, weightDecay: ref.hyper.weight_decay });
    const weights = new Map(Object.entries(ref.init).map(([n, d]) => [n, Float32Array.from(d)]));
    const worst = { param: 0, m: 0, v: 0 };
    ref.grads.forEach((g, k) => {
      adam.apply(weights, new Map(Object.entries(g).map(([n, d]) => [n, Float32Array.from(d)])), { lr: ref.lrs[k] });
      const state = adam.state();
      for (const [name, want] of Object.entries(ref.steps[k]!)) {
        worst.param = Math.max(worst.param, relError(weights.get(name)!, want.param));
        worst.m = Math.max(worst.m, relError(state.m.get(name)!, want.m));
        worst.v = Math.max(worst.v, relError(state.v.get(name)!, want.v));
      }
    });
    expect(worst.param).toBeLessThan(2e-6);
    expect(worst.m).toBeLessThan(2e-6);
    expect(worst.v).toBeLessThan(2e-6);
    expect(adam.step).toBe(4);
  });

  it('decays matrices, never norm gains or biases (the reference has one of each)', () => {
    const names = Object.keys(ref.shapes);
    expect(names.map(isDecayed)).toEqual([true, false, false]);
  });

  it('never writes a frozen entry: bit-identical over several steps, while the others move', () => {
    const n = 64;
    const w = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.3);
    const before = new Uint32Array(w.slice().buffer);
    const mask = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const adam = new AdamW({ lr: 1e-2, weightDecay: 0.1 });
    const weights = new Map([['model.layers.0.mlp.up_proj.weight', w]]);
    for (let s = 0; s < 5; s++) {
      const g = Float32Array.from({ length: n }, (_, i) => Math.cos(i + s));
      adam.apply(weights, new Map([['model.layers.0.mlp.up_proj.weight', g]]), { frozen: new Map([['model.layers.0.mlp.up_proj.weight', mask]]), gradScale: 0.5 });
    }
    const after = new Uint32Array(w.buffer);
    for (let i = 0; i < n; i++) {
      if (mask[i] === 1) expect(after[i], `entry ${i}`).toBe(before[i]);
      else expect(after[i], `entry ${i}`).not.toBe(before[i]);
    }
  });

  it('resumes exactly: 2 steps, state saved and loaded into a new optimizer, 2 more = 4 straight', () => {
    const grads = Array.from({ length: 4 }, (_, s) => new Map([['w', Float32Array.from({ length: 8 }, (_, i) => Math.sin(i * 7 + s))]]));
    const start = () => new Map([['w', Float32Array.from({ length: 8 }, (_, i) => i / 10)]]);
    const straight = start();
    const a = new AdamW({ lr: 1e-2, weightDecay: 0.1 });
    grads.forEach((g) => a.apply(straight, g));
    const resumed = start();
    const b = new AdamW({ lr: 1e-2, weightDecay: 0.1 });
    grads.slice(0, 2).forEach((g) => b.apply(resumed, g));
    const c = new AdamW({ lr: 1e-2, weightDecay: 0.1 }, b.state());
    grads.slice(2).forEach((g) => c.apply(resumed, g));
    expect(resumed.get('w')).toEqual(straight.get('w'));
    expect(c.state()).toEqual(a.state());
  });

  it('rejects bad settings and mismatched arrays, naming the field or weight, before changing anything', () => {
    expect(() => new AdamW({ lr: 0 })).toThrow(/AdamW: lr must be > 0 \(got 0\)/);
    expect(() => new AdamW({ lr: 1e-3, beta2: 1 })).toThrow(/beta2 must be in \[0, 1\)/);
    expect(() => new AdamW({ lr: 1e-3, weightDecay: -1 })).toThrow(/weightDecay must be ≥ 0/);
    const adam = new AdamW({ lr: 1e-3 });
    const w = new Map([['a', new Float32Array(4)]]);
    expect(() => adam.apply(w, new Map([['a', new Float32Array(3)]]))).toThrow(/gradient of a has 3 values but the weight has 4/);
    expect(() => adam.apply(w, new Map([['b', new Float32Array(4)]]))).toThrow(/names b, which is not among the weights/);
    expect(() => adam.apply(w, new Map([['a', new Float32Array(4)]]), { frozen: new Map([['a', new Uint8Array(2)]]) })).toThrow(/frozen mask of a has 2/);
    expect(adam.step).toBe(0);
  });
});
