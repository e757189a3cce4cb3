/**
 * toHaveMonolingualRegion on the `blocks` instrument (see helpers/instruments.ts): each of its three
 * languages lives in its own block of parameters, so each has a monolingual region whose removal hurts
 * it alone (positive control: ×4–×9 on the language, about ×1 on the others). A model trained on
 * languages that share every parameter (`competent`) and an untrained one have none (negative controls).
 */
import * as tf from '@tensorflow/tfjs';
import { describe } from 'vitest';
import { expect, test } from '../../src/vitest/fixtures.js';
import { openSubject } from '../../src/findings/subject.js';
import { blocks, competent, untrained } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

const instrument = await blocks();
test.override('regions', instrumentOptions(instrument));

const THRESHOLDS = { fraction: 0.01, minRatio: 1.5, minSelectivity: 3 };

describe('positive control: languages with parameters of their own', () => {
  test.for(instrument.trained)('%s has a monolingual region', async (language, { subject }) => {
    const before = tf.memory().numTensors;
    await expect(subject).toHaveMonolingualRegion(language, THRESHOLDS);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the region is L’s top-k minus the others’: disjoint from every other language’s', async ({ subject }) => {
    const lower = await subject.monolingualRegion('lower', 0.01);
    const upper = await subject.monolingualRegion('upper', 0.01);
    for (const [name, mask] of lower.masks) {
      const other = upper.masks.get(name)!.data;
      expect(mask.data.some((v, i) => v === 1 && other[i] === 1), name).toBe(false);
    }
  });
});

describe('negative controls', () => {
  test('languages that share all their parameters have no monolingual region', async () => {
    const subject = await openSubject(instrumentOptions(await competent()));
    try {
      for (const language of ['en', 'es', 'ru']) await expect(subject).not.toHaveMonolingualRegion(language, { ...THRESHOLDS, fraction: 0.05 });
    } finally {
      await subject.close();
    }
  });

  test('an untrained model has none', async () => {
    const subject = await openSubject(instrumentOptions(await untrained()));
    try {
      await expect(subject).not.toHaveMonolingualRegion('en', THRESHOLDS);
    } finally {
      await subject.close();
    }
  });

  test('a language measured alone cannot be compared with others', async ({ subject }) => {
    await expect(expect(subject).toHaveMonolingualRegion('lower', { ...THRESHOLDS, languages: ['lower'] })).rejects.toThrow(
      'measure at least one other language',
    );
  });
});
