/**
 * toHaveMassiveActivation on instruments (helpers/instruments.ts; built for the test, not any real model's
 * finding). Positive control, `massiveDim`: every embedding holds 4 at dim 7 — ×22.7 the median |h| of this
 * small model's embedding output (Sun et al.'s ×1,000 and 100 are for 7B models: the criterion is lowered to
 * > 1 and ×20 here) — and ×4 on the layer-0 input-norm weight at dim 7 wrecks every language (×16–×24).
 * Negative controls: `competent` (largest ×8.4 its median) and `untrained` (×5.4).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { expect, test } from '../../src/vitest/fixtures.js';
import { openSubject } from '../../src/findings/subject.js';
import { measureHasMassiveActivation } from '../../src/findings/index.js';
import { competent, MASSIVE_DIM, massiveDim, untrained } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

// The thresholds file for these one-layer instruments: the criterion at their scale, finding 2's perturbation at layer 0.
const thresholds = join(mkdtempSync(join(tmpdir(), 'regions-thresholds-')), 'regions.thresholds.json');
writeFileSync(
  thresholds,
  JSON.stringify({
    massiveActivation: { minValue: 1, minRatio: 20 },
    dimensionSensitivity: { layer: 0, target: { tensor: 'input_layernorm' }, minRatio: 10, aggregate: 'every', controlMaxRatio: 2 },
  }),
);
const options = async (make: () => Promise<Parameters<typeof instrumentOptions>[0]>) => instrumentOptions(await make(), { backend: 'ort-cpu', thresholds });
test.override('regions', await options(massiveDim));

describe('positive control: a planted massive activation', () => {
  test('the detector finds dim 7 where layer 0 reads it, and ×4 there wrecks every language', async ({ subject }) => {
    await expect(subject).toHaveMassiveActivation();
    const r = await measureHasMassiveActivation(subject);
    expect(r.measured.dim).toBe(MASSIVE_DIM);
    expect(r.successes[0]).toMatch(/^dim 7 carries a massive activation: 4\.00 after layer embed/);
    // The profile the report draws: the embedding output and each layer's.
    expect((r.measured.profile as { layer: number }[]).map((p) => p.layer)).toEqual([-1, 0]);
  });

  test('at Sun et al.’s own criterion (100, ×1,000) this small model has none, and the finding says so', async ({ subject }) => {
    await expect(subject).not.toHaveMassiveActivation({ minValue: 100, minRatio: 1000 });
  });
});

describe('negative controls', () => {
  for (const [name, make] of [['competent (trained, nothing planted)', competent], ['untrained', untrained]] as const) {
    test(`${name}: no massive activation`, async () => {
      const subject = await openSubject(await options(make));
      try {
        await expect(subject).not.toHaveMassiveActivation();
        expect((await measureHasMassiveActivation(subject)).failures[0]).toMatch(/^no massive activation: the largest, [\d.]+ on dim \d+ after layer \w+, is ×[\d.]+ \(95%: ×[\d.]+–×[\d.]+\) its layer's median/);
      } finally {
        await subject.close();
      }
    });
  }
});

describe("Sun et al.'s control, asserted (massiveActivation.ablation)", () => {
  /** The instrument's thresholds with the control asserted at `ablation`. */
  const withAblation = (ablation: { maxMeanRatio: number; minZeroRatio: number }) => {
    const file = join(mkdtempSync(join(tmpdir(), 'regions-thresholds-')), 'regions.thresholds.json');
    writeFileSync(
      file,
      JSON.stringify({
        massiveActivation: { minValue: 1, minRatio: 20, ablation },
        dimensionSensitivity: { layer: 0, target: { tensor: 'input_layernorm' }, minRatio: 10, aggregate: 'every', controlMaxRatio: 2 },
      }),
    );
    return file;
  };

  // massiveDim trains with the constant in every embedding, so it reads it as a bias: Sun et al.'s setting.
  test('the planted dim is massive at every position, so every position is set: its mean keeps perplexity (×1.00), zero wrecks it; too high a bar fails', async () => {
    const held = await openSubject(await instrumentOptions(await massiveDim(), { backend: 'ort-cpu', thresholds: withAblation({ maxMeanRatio: 1.05, minZeroRatio: 2 }) }));
    try {
      await expect(held).toHaveMassiveActivation();
      const a = (await measureHasMassiveActivation(held)).measured.ablation;
      expect({ layer: a.layer, dim: a.dim, positions: a.positions, mean: a.mean }).toEqual({ layer: -1, dim: MASSIVE_DIM, positions: 'all', mean: 4 });
      expect(a.meanMedian).toBeCloseTo(1, 6);
      expect(a.zeroMedian).toBeGreaterThan(2);
    } finally {
      await held.close();
    }
    const strict = await openSubject(await instrumentOptions(await massiveDim(), { backend: 'ort-cpu', thresholds: withAblation({ maxMeanRatio: 1.05, minZeroRatio: 1000 }) }));
    try {
      await expect(strict).not.toHaveMassiveActivation();
      const r = await measureHasMassiveActivation(strict);
      expect(r.failures).toEqual([expect.stringMatching(/^set to zero, dim 7 after the embedding at every position moves the median language ×[\d.]+ \(95%: ×[\d.]+–×[\d.]+; < ×1\.00e\+3\)$/)]);
    } finally {
      await strict.close();
    }
  }, 120_000);
});
