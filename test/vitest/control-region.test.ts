/**
 * One definition of a random region: the random control a matcher draws for a region (measure/regions.ts)
 * is the random region selectRegion draws with the same seed and k — each weight from its own generator
 * seeded by (seed, weight name) — so "random region, seed s" means one thing in the specs, the CLI and
 * `npm run findings`.
 */
import { describe, expect, it } from 'vitest';
import { selectRegion } from '../../src/regions/select.js';
import type { RegionsSubject } from '../../src/findings/subject.js';
import { controlRegion } from '../../src/findings/measure/regions.js';
import { scoreMap } from '../regions/helpers.js';

describe('controlRegion', () => {
  it("draws a random control equal to selectRegion's random region of the same k and seed, weight by weight", async () => {
    const values = (n: number, k: number) => Array.from({ length: n }, (_, i) => Math.abs(Math.sin(i * 12.9898 + k)));
    const importance = scoreMap({
      'model.layers.0.mlp.up_proj.weight': [[16, 8], values(128, 1)],
      'model.layers.0.self_attn.q_proj.weight': [[8, 8], values(64, 2)],
      'model.layers.1.mlp.down_proj.weight': [[8, 16], values(128, 3)],
    });
    const top = selectRegion(importance, { kind: 'top', fraction: 0.1 });
    for (const seed of [0, 7, 123456]) {
      const control = await controlRegion({} as RegionsSubject, top, 'random', seed);
      const random = selectRegion(importance, { kind: 'random', fraction: 0.1, seed });
      expect([...control.masks.keys()]).toEqual([...random.masks.keys()]);
      for (const [name, mask] of random.masks) expect(control.masks.get(name)!.data, `${name}, seed ${seed}`).toEqual(mask.data);
      expect(control.seed).toBe(seed);
    }
  });
});
