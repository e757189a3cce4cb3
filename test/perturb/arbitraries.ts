import fc from 'fast-check';
import type { LlamaModel } from '../../src/engine/tfjs/model.js';
import { LAYER_MATRICES, LAYER_NORMS, type Op, type PerturbationInput } from '../../src/perturb/index.js';
import { regionOf } from './helpers.js';

/** Finite float32-safe numbers, small enough that the perturbed model's logits stay finite-ish. */
const number = fc.double({ min: -8, max: 8, noNaN: true });

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  number.map((factor) => ({ type: 'scale' as const, factor })),
  number.map((value) => ({ type: 'set' as const, value })),
  number.map((delta) => ({ type: 'add' as const, delta })),
  fc.record({ type: fc.constant('noise' as const), std: fc.double({ min: 0, max: 1, noNaN: true }), seed: fc.integer() }),
);

/**
 * Perturbations of every kind for `model`, mostly valid, sometimes out of range by one (a layer, a dim,
 * an index just past the end), so that lists which fail halfway are generated too.
 */
export function perturbationArb(model: LlamaModel): fc.Arbitrary<PerturbationInput> {
  const { numLayers: L, hiddenSize: d } = model.config;
  const names = model.weightNames();
  const weight = fc.constantFrom(...names);
  const parameter = weight.chain((tensor) => {
    const shape = [...model.weight(tensor).shape];
    const size = shape.reduce((n, s) => n * s, 1);
    const coords = fc.tuple(...shape.map((s) => fc.integer({ min: 0, max: s }))); // s itself is out of range
    return fc.record({
      kind: fc.constant('parameter' as const),
      tensor: fc.constant(tensor),
      index: fc.oneof(fc.integer({ min: 0, max: size }), coords),
      op: opArb,
    });
  });
  const dimension = fc.record({
    kind: fc.constant('dimension' as const),
    layer: fc.integer({ min: 0, max: L }),
    dim: fc.integer({ min: 0, max: d }),
    tensors: fc.subarray([...LAYER_MATRICES], { minLength: 1 }),
    op: opArb,
  });
  const norm = fc.oneof(
    fc.record({ kind: fc.constant('norm' as const), norm: fc.constantFrom(...LAYER_NORMS), layer: fc.integer({ min: 0, max: L }), dim: fc.integer({ min: 0, max: d }), op: opArb }),
    fc.record({ kind: fc.constant('norm' as const), norm: fc.constant('model.norm' as const), dim: fc.integer({ min: 0, max: d }), op: opArb }),
  );
  const noise = fc.record({ kind: fc.constant('noise' as const), tensor: weight, std: fc.double({ min: 0, max: 0.5, noNaN: true }), seed: fc.integer() });
  const region = fc
    .uniqueArray(weight, { minLength: 1, maxLength: 3 })
    .chain((tensors) =>
      fc.tuple(
        ...tensors.map((t) => {
          const size = model.weight(t).size;
          return fc.uniqueArray(fc.integer({ min: 0, max: size - 1 }), { maxLength: 20 }).map((entries) => [t, entries] as const);
        }),
      ),
    )
    .map((entries) => ({ kind: 'zero-region' as const, region: regionOf(model, Object.fromEntries(entries)) }));
  return fc.oneof(parameter, dimension, norm, noise, region);
}
