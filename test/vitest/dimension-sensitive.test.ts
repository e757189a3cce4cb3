/**
 * toBeDimensionSensitive on the `massiveDim` instrument (see helpers/instruments.ts): residual dim 7
 * carries a planted massive activation, so ×4 on the layer-0 input RMSNorm weight at dim 7 breaks the
 * model (positive control: ×20–×40 here), while ×4 at an ordinary dim does not (negative controls: at
 * most ×1.9 over all 63 other dims of this instrument).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs';
import { describe } from 'vitest';
import { perturbNorm } from '../../src/perturb/norm.js';
import { expect, expectFinding, fcParameters, test } from '../../src/vitest/fixtures.js';
import { openSubject } from '../../src/findings/subject.js';
import { MASSIVE_DIM, massiveDim } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

const instrument = await massiveDim();
// The thresholds file a researcher would write for this checkpoint: the finding holds at dim 7.
const thresholds = join(mkdtempSync(join(tmpdir(), 'regions-thresholds-')), 'regions.thresholds.json');
writeFileSync(
  thresholds,
  JSON.stringify({
    checkpoint: 'massive-dim instrument',
    dimensionSensitivity: {
      expected: 'holds',
      layer: 0,
      dims: [MASSIVE_DIM],
      target: { tensor: 'input_layernorm' },
      minRatio: 10,
      aggregate: 'every',
      controlMaxRatio: 2,
      evidence: { date: '2025-01-01', command: 'npx vitest run test/vitest/dimension-sensitive.test.ts', measured: { minRatio: 21.7, worstControl: 1.84 } },
    },
  }),
);
test.override('regions', instrumentOptions(instrument, { thresholds }));

const AT = { layer: 0, target: { tensor: 'input_layernorm' }, minRatio: 10, aggregate: 'every', controlMaxRatio: 2 } as const;

describe('positive control: the massive-activation dim', () => {
  test('passes against random control dims, and leaves no tensor behind', async ({ subject }) => {
    const before = tf.memory().numTensors;
    await expect(subject).toBeDimensionSensitive({ ...AT, dim: MASSIVE_DIM, controlDims: 'random', controlCount: 3, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });

  test('passes with the thresholds file alone (dim, target and thresholds from it), as the file expects', async ({ subject }) => {
    expect(subject.thresholds.dimensionSensitivity.dims).toEqual([MASSIVE_DIM]);
    await expectFinding(subject.thresholds.dimensionSensitivity.expected, subject).toBeDimensionSensitive();
  });

  test('passes with the perturbation given as a function of the dim', async ({ subject }) => {
    await expect(subject).toBeDimensionSensitive({
      dim: MASSIVE_DIM,
      perturbation: (dim) => perturbNorm({ norm: 'input_layernorm', layer: 0, dim, op: { type: 'scale', factor: 4 } }),
      controlDims: [0, 40],
      minRatio: 10,
      controlMaxRatio: 2,
    });
  });
});

describe('negative controls: ordinary dims', () => {
  test('a random dim is not sensitive, whichever it is', async ({ subject, regions }) => {
    const dims = fc.integer({ min: 0, max: subject.config.hiddenSize - 1 }).filter((d) => d !== MASSIVE_DIM);
    await fc.assert(
      fc.asyncProperty(dims, async (dim) => {
        await expect(subject).not.toBeDimensionSensitive({ ...AT, dim, controlDims: 'random', controlCount: 2, seed: dim });
      }),
      fcParameters(regions),
    );
  });

  test('the most sensitive ordinary dim (×1.8) is not either', async ({ subject }) => {
    await expect(subject).not.toBeDimensionSensitive({ ...AT, dim: 40, controlDims: [0, 1] });
  });

  test('the massive dim used as a control makes the finding fail', async ({ subject }) => {
    await expect(subject).not.toBeDimensionSensitive({ ...AT, dim: 40, controlDims: [MASSIVE_DIM], minRatio: 1.5 });
  });
});

describe('dims "detected": the candidates the massive-activation detector finds', () => {
  const detectedFile = join(mkdtempSync(join(tmpdir(), 'regions-thresholds-')), 'regions.thresholds.json');
  writeFileSync(
    detectedFile,
    JSON.stringify({
      checkpoint: 'massive-dim instrument',
      dimensionSensitivity: { expected: 'holds', layer: 0, dims: 'detected', target: { tensor: 'input_layernorm' }, minRatio: 10, aggregate: 'every', controlMaxRatio: 2 },
    }),
  );
  test('the detector finds the planted dim entering layer 0, and the matcher with no dim tests it (ONNX Runtime)', async () => {
    const subject = await openSubject(instrumentOptions(instrument, { thresholds: detectedFile, backend: 'auto' }));
    try {
      const dims = await subject.detectedDims(0);
      expect(dims).toHaveLength(3);
      expect(dims[0]).toBe(MASSIVE_DIM);
      await expectFinding('holds', subject).toBeDimensionSensitive({ controlDims: 'random', controlCount: 3, seed: 1 });
      await expect(subject.detectedDims(9)).rejects.toThrow(/layer must be a decoder layer in \[0, \d\) \(got 9\)/);
    } finally {
      await subject.close();
    }
  });

  test('on a tfjs engine (wasm) the detector finds the same dims', async ({ subject }) => {
    expect(subject.engine.engine).toBe('onnxruntime');
    const wasm = await openSubject(instrumentOptions(instrument, { thresholds: detectedFile, backend: 'wasm' }));
    try {
      expect(wasm.engine.engine).toBe('tfjs');
      expect(await wasm.detectedDims(0)).toEqual(await subject.detectedDims(0));
    } finally {
      await wasm.close();
    }
  });
});
