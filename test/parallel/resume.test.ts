import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/checkpoint/types.js';
import { ModelPool } from '../../src/parallel/pool.js';
import type { AdamState } from '../../src/train/adam.js';
import { tinyModel } from '../helpers/tiny.js';

/**
 * fixture:train checkpoints weights and Adam moments and resumes from them; a resumed run must be the run
 * that never stopped, bit for bit, or a rebuilt fixture model would not match the shipped one.
 */
const adam = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
const options = { workers: 2, backend: 'cpu', batchSize: 2 };
const batches = Array.from({ length: 4 }, (_, s) =>
  Array.from({ length: 4 }, (_, w) => [256, ...Array.from({ length: 9 }, (_, t) => (s * 53 + w * 31 + t * 7) % 256)]),
);
const lrAt = (step: number) => 1e-2 * (step + 1) / batches.length;

async function train(pool: ModelPool, from: number, to: number): Promise<void> {
  for (let step = from; step < to; step++) await pool.trainStep(batches[step]!, adam, lrAt(step), 1);
}

async function snapshot(pool: ModelPool): Promise<{ weights: Map<string, HostTensor>; adam: AdamState }> {
  return { weights: await pool.weights(), adam: await pool.adamState() };
}

describe('ModelPool training resumes exactly', () => {
  it('4 steps in one pool = 2 steps, weights and Adam state moved to a new pool, 2 more', async () => {
    const { ckpt, model } = tinyModel(21);
    model.dispose();

    const straight = await ModelPool.create(ckpt.config, ckpt.weights, options);
    await train(straight, 0, 4);
    const want = await snapshot(straight);
    await straight.close();

    const first = await ModelPool.create(ckpt.config, ckpt.weights, options);
    await train(first, 0, 2);
    const half = await snapshot(first);
    await first.close();
    const second = await ModelPool.create(ckpt.config, half.weights, options);
    await second.loadAdamState(adam, half.adam);
    await train(second, 2, 4);
    const got = await snapshot(second);
    await second.close();

    expect(got.adam.step).toBe(4);
    expect(got.adam.step).toBe(want.adam.step);
    for (const [name, w] of want.weights) {
      expect(w.data.some((x, i) => x !== ckpt.weights.get(name)!.data[i]), `${name} trained`).toBe(true);
      expect(got.weights.get(name)!.data, name).toEqual(w.data);
      expect(got.adam.m.get(name), `m.${name}`).toEqual(want.adam.m.get(name));
      expect(got.adam.v.get(name), `v.${name}`).toEqual(want.adam.v.get(name));
    }
  });
});
