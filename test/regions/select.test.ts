import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entriesPerTensor, inTransformerLayers, selectRegion } from '../../src/regions/select.js';
import { regionSize } from '../../src/regions/types.js';
import { naiveBottom, naiveTop, ones, scoreMap } from './helpers.js';

const L = 'model.layers.0.self_attn.q_proj.weight';
const L2 = 'model.layers.1.mlp.down_proj.weight';

/** Small score tensors with many ties (values from a small set) and odd sizes. */
const tensorArb = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 13 }))
  .chain(([r, c]) => fc.tuple(fc.constant([r, c] as number[]), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: r * c, maxLength: r * c })));
const fractionArb = fc.double({ min: 0.001, max: 0.999, noNaN: true });

describe('selectRegion', () => {
  it('takes exactly floor(k·n) entries of each tensor, and top/bottom match a full stable sort', () => {
    fc.assert(
      fc.property(tensorArb, fractionArb, fc.constantFrom('top', 'bottom', 'random') as fc.Arbitrary<'top' | 'bottom' | 'random'>, ([shape, values], k, kind) => {
        const region = selectRegion(scoreMap({ [L]: [shape, values] }), { kind, fraction: k, seed: 3 });
        const m = entriesPerTensor(k, values.length);
        expect(m).toBe(Math.floor(k * values.length + 1e-9));
        const mask = region.masks.get(L)!;
        expect(mask.shape).toEqual(shape);
        expect(ones(mask.data).length).toBe(m);
        expect(region.counts.get(L)).toBe(m);
        if (kind === 'top') expect(new Set(ones(mask.data))).toEqual(naiveTop(values, m));
        if (kind === 'bottom') expect(new Set(ones(mask.data))).toEqual(naiveBottom(values, m));
      }),
      { numRuns: 300 },
    );
  });

  it('floor(k·n) does not lose an entry to binary rounding: 0.29 of 100 is 29', () => {
    expect(entriesPerTensor(0.29, 100)).toBe(29);
    expect(entriesPerTensor(0.01, 99)).toBe(0);
    expect(entriesPerTensor(0.01, 100)).toBe(1);
  });

  it('breaks ties toward the lower flat index for top, so constant scores give the first entries; bottom gives the last', () => {
    const map = scoreMap({ [L]: [[4, 5], new Array(20).fill(0.5)] });
    expect(ones(selectRegion(map, { kind: 'top', fraction: 0.25 }).masks.get(L)!.data)).toEqual([0, 1, 2, 3, 4]);
    expect(ones(selectRegion(map, { kind: 'bottom', fraction: 0.25 }).masks.get(L)!.data)).toEqual([15, 16, 17, 18, 19]);
    const mixed = scoreMap({ [L]: [[6], [1, 3, 2, 3, 0, 3]] });
    expect(ones(selectRegion(mixed, { kind: 'top', fraction: 0.34 }).masks.get(L)!.data)).toEqual([1, 3]);
    expect(ones(selectRegion(mixed, { kind: 'bottom', fraction: 0.34 }).masks.get(L)!.data)).toEqual([0, 4]);
  });

  it('top and bottom are disjoint whenever 2k ≤ 1, ties included', () => {
    fc.assert(
      fc.property(tensorArb, fc.double({ min: 0.001, max: 0.5, noNaN: true }), ([shape, values], k) => {
        const map = scoreMap({ [L]: [shape, values] });
        const top = selectRegion(map, { kind: 'top', fraction: k }).masks.get(L)!.data;
        const bottom = selectRegion(map, { kind: 'bottom', fraction: k }).masks.get(L)!.data;
        expect(top.some((v, i) => v === 1 && bottom[i] === 1)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('random is reproducible per seed, differs across seeds, and does not depend on which other tensors are selected', () => {
    const map = scoreMap({ [L]: [[40, 50], new Array(2000).fill(1)], [L2]: [[30, 30], new Array(900).fill(1)] });
    const a = selectRegion(map, { kind: 'random', fraction: 0.05, seed: 7 });
    const b = selectRegion(map, { kind: 'random', fraction: 0.05, seed: 7 });
    const c = selectRegion(map, { kind: 'random', fraction: 0.05, seed: 8 });
    const alone = selectRegion(map, { kind: 'random', fraction: 0.05, seed: 7, include: [L] });
    expect(a.seed).toBe(7);
    expect(ones(a.masks.get(L)!.data)).toEqual(ones(b.masks.get(L)!.data));
    expect(ones(a.masks.get(L)!.data)).not.toEqual(ones(c.masks.get(L)!.data));
    expect(ones(alone.masks.get(L)!.data)).toEqual(ones(a.masks.get(L)!.data));
    expect(regionSize(a)).toBe(100 + 45);
  });

  it('random draws uniformly: every entry is picked about k of the time over many seeds', () => {
    const n = 50;
    const hits = new Array(n).fill(0);
    const map = scoreMap({ [L]: [[n], new Array(n).fill(0)] });
    const seeds = 2000;
    for (let s = 0; s < seeds; s++) for (const i of ones(selectRegion(map, { kind: 'random', fraction: 0.2, seed: s }).masks.get(L)!.data)) hits[i]++;
    // Each entry: Binomial(2000, 0.2), mean 400, sd ≈ 17.9; 6 sd bounds.
    for (const h of hits) expect(Math.abs(h - 400)).toBeLessThan(108);
  });

  it('selects inside the transformer layers by default; include takes a predicate or a list of names', () => {
    const t = (v: number): [number[], number[]] => [[10], Array.from({ length: 10 }, (_, i) => v + i)];
    const map = scoreMap({
      'model.embed_tokens.weight': t(0),
      [L]: t(1),
      'model.layers.0.input_layernorm.weight': t(2),
      'model.layers.0.self_attn.q_proj.bias': t(3),
      'model.norm.weight': t(4),
      'lm_head.weight': t(5),
    });
    expect([...selectRegion(map, { kind: 'top', fraction: 0.5 }).masks.keys()]).toEqual([
      L,
      'model.layers.0.input_layernorm.weight',
      'model.layers.0.self_attn.q_proj.bias',
    ]);
    expect(inTransformerLayers('model.layers.12.mlp.up_proj.weight')).toBe(true);
    expect(inTransformerLayers('model.norm.weight')).toBe(false);
    expect([...selectRegion(map, { kind: 'top', fraction: 0.5, include: () => true }).masks.keys()]).toHaveLength(6);
    expect([...selectRegion(map, { kind: 'top', fraction: 0.5, include: ['lm_head.weight'] }).masks.keys()]).toEqual(['lm_head.weight']);
    expect(() => selectRegion(map, { kind: 'top', fraction: 0.5, include: ['nope.weight'] })).toThrow(/no importance for tensor\(s\) nope\.weight/);
    expect(() => selectRegion(map, { kind: 'top', fraction: 0.5, include: () => false })).toThrow(/filter keeps none/);
  });

  it('refuses k outside (0, 1), a bad seed and NaN scores with clear errors', () => {
    const map = scoreMap({ [L]: [[4], [1, 2, 3, 4]] });
    for (const k of [0, 1, Number.NaN, -0.1, 1.5, Number.POSITIVE_INFINITY]) {
      expect(() => selectRegion(map, { kind: 'top', fraction: k })).toThrow(/fraction k of each weight matrix must be a number in \(0, 1\)/);
    }
    expect(() => selectRegion(map, { kind: 'top', fraction: 0 })).toThrow(/got 0\)/);
    expect(() => selectRegion(map, { kind: 'random', fraction: 0.5, seed: -1 })).toThrow(/seed must be an integer/);
    expect(() => selectRegion(map, { kind: 'random', fraction: 0.5, seed: 1.5 })).toThrow(/seed must be an integer/);
    const nan = scoreMap({ [L]: [[4], [1, Number.NaN, 3, 4]] });
    expect(() => selectRegion(nan, { kind: 'top', fraction: 0.5 })).toThrow(`importance of ${L} is NaN at flat index 1`);
  });

  it('records kind, fraction, languages and the importance provenance', () => {
    const region = selectRegion(scoreMap({ [L]: [[4], [1, 2, 3, 4]] }, ['ar', 'es'], { checkpoint: 'abc' }), { kind: 'bottom', fraction: 0.5 });
    expect(region).toMatchObject({ kind: 'bottom', fraction: 0.5, languages: ['ar', 'es'], seed: null, provenance: { checkpoint: 'abc' } });
  });
});
