import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { LlamaModel } from '../../src/engine/tfjs/model.js';
import { PerturbationError, withPerturbation } from '../../src/perturb/index.js';
import { tinyModel } from '../helpers/tiny.js';
import { perturbationArb } from './arbitraries.js';
import { expectRestored, snapshot, WINDOWS } from './helpers.js';

let model: LlamaModel;
beforeAll(async () => {
  await tf.setBackend('cpu');
  model = tinyModel(14).model;
});
afterAll(() => model.dispose());

test('any list of perturbations, applied or failing halfway, callback passing or throwing, restores the exact bits and numTensors', async () => {
  const before = snapshot(model);
  await fc.assert(
    fc.asyncProperty(
      fc.array(perturbationArb(model), { minLength: 1, maxLength: 4 }),
      fc.constantFrom('return', 'throw', 'forward'),
      async (list, callback) => {
        const tensors = tf.memory().numTensors;
        const outcome = await withPerturbation(model, list, async (m) => {
          if (callback === 'throw') throw new Error('callback failed');
          if (callback === 'forward') await m.logits(WINDOWS);
          return 'done';
        }).catch((err: Error) => err);
        if (outcome instanceof Error && outcome.message !== 'callback failed') expect(outcome).toBeInstanceOf(PerturbationError);
        expect(tf.memory().numTensors).toBe(tensors);
        expectRestored(model, before);
      },
    ),
    { numRuns: 60 },
  );
});
