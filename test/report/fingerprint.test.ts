/**
 * Region fingerprints: the Jaccard overlap computed from two fingerprints must agree with the overlap of
 * the masks themselves (src/regions/overlap.ts) — exactly from inlined indices, within a few standard
 * errors from the sketch alone. Layout: the row and column counts the heatmap draws.
 */
import { describe, expect, test } from 'vitest';
import { fingerprintOverlap, regionFingerprint } from '../../src/region-data/fingerprint.js';
import { decodeIndices, encodeIndices } from '../../src/region-data/internals/varint.js';
import { regionLayout } from '../../src/region-data/layout.js';
import { regionOverlap } from '../../src/regions/overlap.js';
import type { Region } from '../../src/regions/types.js';
import { HOT_DIMS, sampleRegion } from './helpers/sample.js';

const a = sampleRegion({ seed: 1 });
const b = sampleRegion({ seed: 2 }); // same hot dims, another uniform half: overlap about a third

describe('regionFingerprint', () => {
  test('gap-encodes indices losslessly', () => {
    const indices = [0, 1, 2, 127, 128, 16_383, 2 ** 40];
    expect(decodeIndices(encodeIndices(indices))).toEqual(indices);
    expect(decodeIndices(encodeIndices([]))).toEqual([]);
  });

  test('identical regions: Jaccard 1 from the content hash', () => {
    expect(fingerprintOverlap(regionFingerprint(a), regionFingerprint(sampleRegion({ seed: 1 })))).toEqual({ jaccard: 1, method: 'identical', standardError: 0 });
  });

  test('small regions: the exact Jaccard of the masks', () => {
    const fa = regionFingerprint(a);
    expect(fa.entries).toBe([...a.counts.values()].reduce((x, y) => x + y, 0));
    expect(fa.indices).toBeDefined();
    const o = fingerprintOverlap(fa, regionFingerprint(b));
    expect(o.method).toBe('exact');
    expect(o.jaccard).toBe(regionOverlap(a, b).jaccard);
    expect(o.jaccard).toBeGreaterThan(0.2);
    expect(o.jaccard).toBeLessThan(0.5);
  });

  test('without indices (large regions): the sketch estimates it within 3 standard errors', () => {
    const options = { inlineLimit: 0, sketchSize: 1024 };
    const fa = regionFingerprint(a, options);
    expect(fa.indices).toBeUndefined();
    expect(fa.sketch.hashes).toHaveLength(1024);
    const o = fingerprintOverlap(fa, regionFingerprint(b, options));
    expect(o.method).toBe('sketch');
    expect(o.standardError).toBeGreaterThan(0);
    expect(Math.abs(o.jaccard - regionOverlap(a, b).jaccard)).toBeLessThan(3 * o.standardError);
    const disjoint = regionFingerprint(sampleRegion({ seed: 3, kind: 'random' }), options);
    expect(fingerprintOverlap(fa, disjoint).jaccard).toBeLessThan(0.5);
  });
});

describe('regionLayout', () => {
  test('counts entries per row and column, max-pooled into bins', () => {
    const data = new Uint8Array(4 * 6);
    for (const i of [0, 1, 2, 3, 4, 5, 11, 17]) data[i] = 1; // row 0 full; column 5 in rows 0-2
    const region: Region = {
      kind: 'top',
      fraction: 0.3,
      languages: [],
      masks: new Map([['model.layers.2.self_attn.o_proj.weight', { shape: [4, 6], data }]]),
      counts: new Map([['model.layers.2.self_attn.o_proj.weight', 8]]),
      seed: null,
      provenance: {},
    };
    expect(regionLayout(region, 3).tensors).toEqual([
      {
        name: 'model.layers.2.self_attn.o_proj.weight',
        layer: 2,
        matrix: 'o_proj',
        hiddenAxis: 0, // o_proj writes the residual stream: hidden dim j is row j
        shape: [4, 6],
        entries: 8,
        rows: { binSize: 2, counts: [6, 1] },
        cols: { binSize: 2, counts: [1, 1, 3] },
      },
    ]);
  });

  test('a region lined up on a dim lights up that dim in every weight', () => {
    const layout = regionLayout(sampleRegion(), 128);
    const downProj = layout.tensors.find((t) => t.name === 'model.layers.1.mlp.down_proj.weight')!;
    const hottest = downProj.rows.counts.indexOf(Math.max(...downProj.rows.counts));
    expect(HOT_DIMS).toContain(hottest);
    expect(layout.tensors.map((t) => t.layer)).toEqual([...layout.tensors.map((t) => t.layer)].sort());
  });
});
