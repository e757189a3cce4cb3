/**
 * toHaveSuperWeight on instruments (helpers/instruments.ts; built by hand, not any real model's finding).
 * Positive control, `superWeight`: one planted down_proj weight whose constant dominates the final norm — the
 * detector finds it from one forward pass and zeroing it wrecks every language (×786–×6,300 here), while
 * zeroing random entries of the same tensor moves nothing. Negative controls: `competent` (trained, nothing
 * planted: its strongest down_proj spike is ×1.9 its median dim) and `untrained`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'vitest';
import { expect, test } from '../../src/vitest/fixtures.js';
import { openSubject } from '../../src/findings/subject.js';
import { measureHasSuperWeight } from '../../src/findings/index.js';
import { competent, SUPER_WEIGHT, superWeight, untrained } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

const instrument = await superWeight();
test.override('regions', instrumentOptions(instrument, { backend: 'ort-cpu' }));

describe('positive control: a planted super weight', () => {
  test('the plant left the model as competent as before: the training windows’ ppl moved under ×1.2', () => {
    const plant = JSON.parse(readFileSync(join(instrument.checkpoint, 'plant.json'), 'utf8')) as { pplBefore: number; pplAfter: number };
    expect(plant.pplAfter / plant.pplBefore).toBeLessThan(1.2);
  });

  test('the detector finds it, zeroing it wrecks every language, random entries of the tensor do not', async ({ subject }) => {
    await expect(subject).toHaveSuperWeight();
    const r = await measureHasSuperWeight(subject);
    expect(r.measured.coordinate).toEqual(SUPER_WEIGHT);
    expect(r.measured.candidate).toBe(true);
    expect(r.regions.region!.kind).toBe('super-weight');
    expect(r.regions.region!.entries).toBe(1);
    expect(Math.min(...(r.measured.effects as { ratio: number }[]).map((e) => e.ratio))).toBeGreaterThan(100);
  });

  test('at a given coordinate: the planted one holds; another entry of the same tensor does not', async ({ subject }) => {
    await expect(subject).toHaveSuperWeight({ at: SUPER_WEIGHT });
    await expect(subject).not.toHaveSuperWeight({ at: { layer: 0, row: 5, col: 17 } });
  });

  test('the detector result is cached on disk by content hash: a second subject reads it', async ({ subject }) => {
    await subject.superWeights();
    const dir = join(subject.options.cacheDir, 'results');
    const files = readdirSync(dir).filter((f) => f.startsWith('detect-'));
    expect(files.length).toBeGreaterThan(0);
    const again = await openSubject(subject.options);
    try {
      expect(await again.superWeights()).toEqual(await subject.superWeights());
    } finally {
      await again.close();
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('detect-'))).toEqual(files);
  });
});

describe('negative controls', () => {
  for (const [name, make] of [['competent (trained, nothing planted)', competent], ['untrained', untrained]] as const) {
    test(`${name}: no super weight`, async () => {
      const subject = await openSubject(instrumentOptions(await make(), { backend: 'ort-cpu' }));
      try {
        await expect(subject).not.toHaveSuperWeight();
        const r = await measureHasSuperWeight(subject);
        expect(r.failures[0]).toMatch(/^the detector finds no super-weight candidate: the strongest spike, layer \d+'s down_proj output spikes ×[\d.]+ \(95%: ×[\d.]+–×[\d.]+\) its median dim/);
      } finally {
        await subject.close();
      }
    });
  }
});

describe('usage errors, and the other engine', () => {
  test('a coordinate outside the model, or a bad option, is an error that says so', async ({ subject }) => {
    await expect(expect(subject).toHaveSuperWeight({ at: { layer: 3, row: 0, col: 0 } })).rejects.toThrow(/option "at": \(3, 0, 0\) is outside this model's down_proj weights/);
    await expect(expect(subject).toHaveSuperWeight({ minSpike: -1 })).rejects.toThrow(/option "minSpike": must be > 0/);
  });

  test('on tfjs (wasm) the detector finds the same coordinate, with the same spikes within 1e-4', async ({ subject }) => {
    const ort = await subject.superWeights();
    const wasm = await openSubject(instrumentOptions(instrument, { backend: 'wasm' }));
    try {
      expect(wasm.engine.engine).toBe('tfjs');
      const tfjs = await wasm.superWeights();
      expect(tfjs.candidates.map((c) => [c.layer, c.row, c.col])).toEqual(ort.candidates.map((c) => [c.layer, c.row, c.col]));
      for (const [i, l] of ort.layers.entries()) {
        const t = tfjs.layers[i]!;
        expect([t.input.channel, t.output.dim]).toEqual([l.input.channel, l.output.dim]);
        expect(Math.abs(t.output.value - l.output.value) / l.output.value).toBeLessThan(1e-4);
        expect(Math.abs(t.outputRatio - l.outputRatio) / l.outputRatio).toBeLessThan(1e-4);
      }
      await expect(wasm).toHaveSuperWeight();
    } finally {
      await wasm.close();
    }
  });
});
