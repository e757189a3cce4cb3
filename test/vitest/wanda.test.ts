/**
 * Wanda's importance (|W|·‖X‖₂, forward only; src/importance/wanda.ts — pinned to PyTorch in
 * test/engine/ort-reference.test.ts) as a region source that every matcher takes: `{ kind: 'top', source:
 * 'wanda' }`. On `competent` (helpers/instruments.ts) its top 3% carries competence like the gradient's,
 * against random and (Wanda-ranked) bottom controls; on `untrained` it does not.
 */
import { describe } from 'vitest';
import { expect, test } from '../../src/vitest/fixtures.js';
import { measureLoseCompetence } from '../../src/findings/index.js';
import { openSubject } from '../../src/findings/subject.js';
import { regionOverlap } from '../../src/regions/overlap.js';
import { competent, untrained } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

test.override('regions', instrumentOptions(await competent(), { backend: 'ort-cpu' }));
const THRESHOLDS = { minRatio: 1.5, controlMaxRatio: 1.2 };
const WANDA = { kind: 'top', fraction: 0.03, source: 'wanda' } as const;

describe('Wanda regions', () => {
  test('positive control: zeroing Wanda’s top 3% wrecks competent, unlike a random or a Wanda-bottom 3%', async ({ subject }) => {
    await expect(subject).toLoseCompetenceWhenZeroed(WANDA, { ...THRESHOLDS, control: 'random' });
    await expect(subject).toLoseCompetenceWhenZeroed(WANDA, { ...THRESHOLDS, control: 'bottom' });
    const r = await measureLoseCompetence(subject, WANDA, { ...THRESHOLDS, control: 'bottom' });
    expect(r.regions.region!.kind).toBe('wanda:top');
    expect(r.regions.control!.kind).toBe('bottom');
  });

  test('the region holds only linear weights, k of each, and is not the gradient’s', async ({ subject }) => {
    const wanda = await subject.region(WANDA);
    expect([...wanda.masks.keys()].every((n) => /_proj\.weight$/.test(n))).toBe(true);
    expect(wanda.masks.size).toBe(7 * subject.config.numLayers);
    const gradient = await subject.coreRegion(0.03);
    const { jaccard } = regionOverlap(wanda, gradient);
    expect(jaccard).toBeGreaterThan(0);
    expect(jaccard).toBeLessThan(1);
  });

  test('the map is cached on disk: a second subject reads the same scores', async ({ subject }) => {
    const a = await subject.wandaImportance();
    const again = await openSubject(subject.options);
    try {
      const b = await again.wandaImportance();
      expect(b.provenance.cache_key).toBe(a.provenance.cache_key);
      for (const [name, t] of a.scores) expect(b.scores.get(name)!.data).toEqual(t.data);
    } finally {
      await again.close();
    }
  });

  test('negative control: untrained has no such region', async () => {
    const subject = await openSubject(instrumentOptions(await untrained(), { backend: 'ort-cpu' }));
    try {
      await expect(subject).not.toLoseCompetenceWhenZeroed(WANDA, THRESHOLDS);
    } finally {
      await subject.close();
    }
  });

  test('a random region takes no source', async ({ subject }) => {
    await expect(subject.region({ kind: 'random', source: 'wanda' })).rejects.toThrow("a random region is drawn without importance: { kind: 'random' } takes no source");
  });

  test('on tfjs (wasm) the scores equal ONNX Runtime’s within 1e-4 of each tensor’s largest, and the region is the same', async ({ subject }) => {
    const ort = await subject.wandaImportance();
    const wasm = await openSubject(instrumentOptions(await competent(), { backend: 'wasm' }));
    try {
      expect(wasm.engine.engine).toBe('tfjs');
      const tfjs = await wasm.wandaImportance();
      expect(tfjs.provenance.cache_key).not.toBe(ort.provenance.cache_key); // the engine is part of the key
      for (const [name, t] of ort.scores) {
        const max = t.data.reduce((m, v) => Math.max(m, v), 0);
        const other = tfjs.scores.get(name)!.data;
        expect(t.data.reduce((w, v, i) => Math.max(w, Math.abs(v - other[i]!)), 0) / max, name).toBeLessThan(1e-4);
      }
      expect(regionOverlap(await wasm.region(WANDA), await subject.region(WANDA)).jaccard).toBeGreaterThan(0.99);
    } finally {
      await wasm.close();
    }
  });
});
