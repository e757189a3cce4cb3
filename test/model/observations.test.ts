/**
 * The registry of observations (src/model/observations.ts): each observation declared once and run by both
 * engines — recorded as ONNX Runtime graph outputs, run eagerly on tfjs — gives the same values on a family with
 * fused projections and partial rotary (Phi-3) and one with the sandwich layout and GeLU (Gemma-2).
 */
import { describe, expect, it } from 'vitest';
import { OrtModel } from '../../src/engine/onnx/ort-model.js';
import { OBSERVATIONS, type ObservationName } from '../../src/model/observations.js';
import type { Activations } from '../../src/model/observe.js';
import { tinyModel } from '../helpers/tiny.js';
import { relativeToMax } from '../helpers/reference.js';

const windows = [
  [256, 72, 101, 108, 108, 111, 44, 32, 119, 111, 114, 108, 100],
  [256, 1, 2, 3, 250, 9, 99, 100, 101, 102, 103, 104, 105],
];

describe.each([
  ['phi3', { model_type: 'phi3', num_key_value_heads: 2, partial_rotary_factor: 0.5 }],
  ['gemma2', { model_type: 'gemma2', head_dim: 8, sliding_window: 4 }],
])('observations on %s', (_family, config) => {
  it('every observation of the registry is the same on ONNX Runtime and tfjs', async () => {
    const { ckpt, model: tfjs } = tinyModel(11, config);
    const ort = new OrtModel(ckpt.config, ckpt.weights, { threads: 1 });
    try {
      for (const name of Object.keys(OBSERVATIONS) as ObservationName[]) {
        const [a, b] = [await ort.observe(name, windows), await tfjs.observe(name, windows)];
        if (a instanceof Map && b instanceof Map) {
          expect([...a.keys()]).toEqual([...b.keys()]);
          for (const [k, v] of a) expect(relativeToMax(v, b.get(k)!), `${name} ${k}`).toBeLessThan(1e-5);
        } else if (a instanceof Float32Array && b instanceof Float32Array) {
          expect(a.length, name).toBe(b.length);
          if (name === 'gate-positive') {
            // Counts of positions: equal but where a gate sits within float32 rounding of 0.
            const off = a.reduce((n, v, i) => n + Math.abs(v - b[i]!), 0);
            expect(off, name).toBeLessThanOrEqual(2);
          } else expect(relativeToMax(a, b), name).toBeLessThan(1e-5);
        } else {
          const [x, y] = [a as Activations, b as Activations];
          for (const k of ['hidden', 'downInMax', 'downOutMax'] as const) expect(relativeToMax(x[k], y[k]), `${name} ${k}`).toBeLessThan(1e-5);
        }
      }
    } finally {
      await ort.release();
      tfjs.dispose();
    }
  });
});
