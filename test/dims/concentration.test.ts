import { describe, expect, it } from 'vitest';
import { regionConcentration } from '../../src/dims/concentration.js';
import { PerturbationError } from '../../src/perturb/errors.js';
import type { Region } from '../../src/regions/types.js';
import { configOf, plantColumn, plantRow, randomRegion } from './helpers.js';

const config = configOf(); // d 64, ffn 128, 4 layers

describe('regionConcentration', () => {
  it('a region planted on one COLUMN of the readers gives that dim a huge z, the rest none', () => {
    const region = randomRegion(config, 0.02, 1, (name, shape, mask) => {
      if (/(q|k|v|gate|up)_proj\.weight$/.test(name)) plantColumn(mask, shape, 7);
    });
    const c = regionConcentration(region, config);
    expect(c.reads.top[0]!.dim).toBe(7);
    expect(c.reads.top[0]!.z).toBeGreaterThan(50);
    expect(c.reads.flagged.map((x) => x.dim)).toEqual([7]);
    // The planted entries raise each weight's p, so the other dims fall a little BELOW their expectation
    // (z around −4 here): none comes anywhere near the threshold.
    const others = c.reads.dims.filter((x) => x.dim !== 7).map((x) => x.z);
    expect(Math.max(...others)).toBeLessThan(0);
    expect(Math.min(...others)).toBeGreaterThan(-8);
    // The writers hold the same random 2% and nothing planted: nothing flagged.
    expect(c.writes.flagged).toEqual([]);
    expect(Math.max(...c.writes.dims.map((x) => Math.abs(x.z)))).toBeLessThan(4);
  });

  it('a region planted on one ROW of o_proj/down_proj flags that dim among the writers only', () => {
    const region = randomRegion(config, 0.02, 2, (name, shape, mask) => {
      if (/(o|down)_proj\.weight$/.test(name)) plantRow(mask, shape, 41);
    });
    const c = regionConcentration(region, config);
    expect(c.writes.flagged.map((x) => x.dim)).toEqual([41]);
    expect(c.reads.flagged).toEqual([]);
    // 4 layers × (64 + 128) planted entries, plus the random ones on dim 41.
    expect(c.writes.dims[41]!.count).toBeGreaterThanOrEqual(4 * (64 + 128));
  });

  it('counts rows and columns exactly, and z is (count − Σnp) / √Σnp(1 − p)', () => {
    const q = 'model.layers.2.self_attn.q_proj.weight'; // [64, 64]
    const data = new Uint8Array(64 * 64);
    for (let r = 0; r < 10; r++) data[r * 64 + 5] = 1; // column 5, rows 0..9
    data[63 * 64 + 0] = 1; // one more, row 63 column 0
    const region: Region = { kind: 'custom', fraction: 0, languages: [], masks: new Map([[q, { shape: [64, 64], data }]]), counts: new Map([[q, 11]]), seed: null, provenance: {} };
    const c = regionConcentration(region, config, { top: 3 });
    const m = c.matrices.get(q)!;
    expect(m.entries).toBe(11);
    expect(Array.from(m.colCounts.slice(0, 6))).toEqual([1, 0, 0, 0, 0, 10]);
    expect(m.rowCounts[0]).toBe(1);
    expect(m.rowCounts[63]).toBe(1);
    const p = 11 / 4096;
    const expected = 64 * p;
    expect(c.reads.dims[5]).toEqual({ dim: 5, count: 10, expected, z: (10 - expected) / Math.sqrt(expected * (1 - p)), flagged: true });
    expect(c.reads.top.map((x) => x.dim)).toEqual([5, 0, 1]);
    // Dim 0 holds one entry where 0.17 are expected: z ≈ 2, below every threshold.
    expect(c.reads.dims[0]!.flagged).toBe(false);
    expect(c.reads.weights).toEqual([q]);
    expect(c.writes.entries).toBe(0);
  });

  it('minCount keeps a lone stray entry from being flagged however high its z', () => {
    const down = 'model.layers.0.mlp.down_proj.weight'; // [64, 128]
    const data = new Uint8Array(64 * 128);
    data[3 * 128 + 9] = 1; // row 3 — one entry in the whole matrix: expected 1/64 per row
    const region: Region = { kind: 'custom', fraction: 0, languages: [], masks: new Map([[down, { shape: [64, 128], data }]]), counts: new Map([[down, 1]]), seed: null, provenance: {} };
    const lone = regionConcentration(region, config).writes.dims[3]!;
    expect(lone.z).toBeGreaterThan(6);
    expect(lone.flagged).toBe(false);
    expect(regionConcentration(region, config, { minCount: 1 }).writes.dims[3]!.flagged).toBe(true);
    expect(regionConcentration(region, config, { minCount: 1, zThreshold: 100 }).writes.dims[3]!.flagged).toBe(false);
  });

  it('counts norm entries per dim', () => {
    const region = randomRegion(configOf({ num_hidden_layers: 2 }), 0, 3, (name, _shape, mask) => {
      if (name.endsWith('layernorm.weight')) mask[12] = 1;
    });
    const c = regionConcentration(region, configOf({ num_hidden_layers: 2 }), { minCount: 4 });
    expect(c.norms.dims[12]!.count).toBe(4);
    expect(c.norms.flagged.map((x) => x.dim)).toEqual([12]);
  });

  it('rejects a region of another model and bad options, naming what is wrong', () => {
    const other = randomRegion(configOf({ hidden_size: 32 }), 0.01, 4);
    expect(() => regionConcentration(other, config)).toThrow(PerturbationError);
    expect(() => regionConcentration(other, config)).toThrow(
      "the custom region's mask for model.layers.0.input_layernorm.weight has shape [32] but the model's weight has [64]",
    );
    const region = randomRegion(config, 0.01, 5);
    expect(() => regionConcentration(region, config, { zThreshold: -1 })).toThrow(/^regionConcentration: zThreshold: /);
    expect(() => regionConcentration(region, config, { top: 0 })).toThrow(/^regionConcentration: top: /);
  });
});
