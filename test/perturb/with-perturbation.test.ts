import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { LlamaModel } from '../../src/engine/tfjs/model.js';
import {
  addNoise,
  perturbDimension,
  perturbNorm,
  PerturbationError,
  scaleParameter,
  setParameter,
  withPerturbation,
  zeroRegion,
  type PerturbationInput,
} from '../../src/perturb/index.js';
import { tinyModel } from '../helpers/tiny.js';
import { expectRestored, regionOf, snapshot, WINDOWS } from './helpers.js';

// The cases below are built at collection time, so the model is made at import time.
await tf.setBackend('cpu');
const model: LlamaModel = tinyModel(11).model;
afterAll(() => model.dispose());

const DOWN = 'model.layers.1.mlp.down_proj.weight';

/** One perturbation of each kind, each strong enough to move the logits. */
function oneOfEachKind(): [string, PerturbationInput][] {
  return [
    ['zero-region', zeroRegion(regionOf(model, { 'model.layers.0.self_attn.q_proj.weight': [0, 5, 99], [DOWN]: [3, 64, 1000] }))],
    ['parameter', scaleParameter({ tensor: 'model.embed_tokens.weight', index: [72, 3], factor: 400 })],
    ['dimension', perturbDimension({ layer: 0, dim: 7, tensors: ['q_proj', 'up_proj', 'down_proj'], op: { type: 'scale', factor: 50 } })],
    ['norm', perturbNorm({ norm: 'model.norm', dim: 2, op: { type: 'set', value: 30 } })],
    ['noise', addNoise({ tensor: 'lm_head.weight', std: 0.5, seed: 3 })],
  ];
}

describe('withPerturbation', () => {
  it.each(oneOfEachKind())('%s: changes the logits inside, restores the exact tensors and bits after, leaks nothing', async (_, p) => {
    const before = snapshot(model);
    const baseline = await model.logits(WINDOWS);
    const tensors = tf.memory().numTensors;
    const inside = await withPerturbation(model, p, (m) => {
      // The originals are set aside untouched while the perturbed copies are in place.
      for (const [name, original] of before.objects) {
        expect(new Uint32Array(Float32Array.from(original.dataSync() as Float32Array).buffer)).toEqual(before.bits.get(name));
      }
      return m.logits(WINDOWS);
    });
    expect(tf.memory().numTensors).toBe(tensors);
    expectRestored(model, before);
    const maxDiff = Math.max(...inside.map((x, i) => Math.abs(x - baseline[i]!)));
    expect(maxDiff).toBeGreaterThan(1e-3);
    expect(await model.logits(WINDOWS)).toEqual(baseline);
  });

  it('returns what the callback returns, and hands it a view: the model itself never holds the perturbation', async () => {
    const before = snapshot(model);
    const p = setParameter({ tensor: DOWN, index: 0, value: 1 });
    const seen = await withPerturbation(model, p, (m) => [m === model, m.weight(DOWN).dataSync()[0], model.weight(DOWN).dataSync()[0]]);
    expect(seen).toEqual([false, 1, before.objects.get(DOWN)!.dataSync()[0]]);
    expectRestored(model, before);
  });

  it('overlapping calls (Promise.all) each see their own perturbation, and the model its own weights', async () => {
    const before = snapshot(model);
    const tensors = tf.memory().numTensors;
    const baseline = await model.logits(WINDOWS);
    const kinds = oneOfEachKind().map(([, p]) => p);
    const alone: Float32Array[] = [];
    for (const p of kinds) alone.push(await withPerturbation(model, p, (m) => m.logits(WINDOWS)));
    // Each callback yields between its reads, so the five interleave, with unperturbed reads in between.
    const together = await Promise.all([
      ...kinds.map((p) =>
        withPerturbation(model, p, async (m) => {
          await new Promise((r) => setTimeout(r, 5));
          return m.logits(WINDOWS);
        }),
      ),
      model.logits(WINDOWS),
    ]);
    kinds.forEach((_, i) => expect(together[i], `perturbation ${i + 1}`).toEqual(alone[i]));
    expect(together[kinds.length]).toEqual(baseline);
    expect(tf.memory().numTensors).toBe(tensors);
    expectRestored(model, before);
  });

  it('restores when the callback throws, and passes the error on unchanged', async () => {
    const before = snapshot(model);
    const tensors = tf.memory().numTensors;
    const boom = new Error('boom');
    await expect(
      withPerturbation(model, oneOfEachKind().map(([, p]) => p), async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(tf.memory().numTensors).toBe(tensors);
    expectRestored(model, before);
  });

  it('undoes the applied ones when a later perturbation in the list fails, and never calls back', async () => {
    const before = snapshot(model);
    const tensors = tf.memory().numTensors;
    let called = false;
    const list: PerturbationInput[] = [
      scaleParameter({ tensor: DOWN, index: [3, 4], factor: 4 }),
      scaleParameter({ tensor: DOWN, index: [32, 0], factor: 4 }), // down_proj is [32, 64]: row 32 is out of range
      perturbNorm({ norm: 'input_layernorm', layer: 0, dim: 1, op: { type: 'set', value: 0 } }),
    ];
    const run = withPerturbation(model, list, () => {
      called = true;
    });
    await expect(run).rejects.toThrow(PerturbationError);
    await expect(run).rejects.toThrow(
      `perturbation 2 of 3 (×4 on ${DOWN}[32, 0]): index [32, 0] is outside ${DOWN}, whose shape is [32, 64]`,
    );
    expect(called).toBe(false);
    expect(tf.memory().numTensors).toBe(tensors);
    expectRestored(model, before);
  });

  it('composes perturbations of one weight in order and still restores the original object', async () => {
    const before = snapshot(model);
    const tensors = tf.memory().numTensors;
    const x = model.weight(DOWN).dataSync()[70]!; // [1, 6]
    const value = await withPerturbation(
      model,
      [
        scaleParameter({ tensor: DOWN, index: [1, 6], factor: 4 }),
        { kind: 'parameter', tensor: DOWN, index: 70, op: { type: 'add', delta: 1 } },
        perturbDimension({ layer: 1, dim: 1, op: { type: 'scale', factor: 2 } }),
      ],
      (m) => m.weight(DOWN).dataSync()[70]!,
    );
    expect(value).toBe(Math.fround(Math.fround(Math.fround(4 * x) + 1) * 2));
    expect(tf.memory().numTensors).toBe(tensors);
    expectRestored(model, before);
  });

  it('nests: the inner call perturbs the outer view further; the outer view and the model stay as they were', async () => {
    const before = snapshot(model);
    const outer = setParameter({ tensor: DOWN, index: 5, value: 7 });
    const inner = setParameter({ tensor: DOWN, index: 5, value: 9 });
    const seen = await withPerturbation(model, outer, async (m) => {
      const during = await withPerturbation(m, inner, (mm) => mm.weight(DOWN).dataSync()[5]);
      return [during, m.weight(DOWN).dataSync()[5]];
    });
    expect(seen).toEqual([9, 7]);
    expectRestored(model, before);
  });

  it('an empty list runs the callback on the untouched model', async () => {
    const before = snapshot(model);
    await expect(withPerturbation(model, [], () => 1)).resolves.toBe(1);
    expectRestored(model, before);
  });
});
