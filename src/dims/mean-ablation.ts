/**
 * Mean-ablation of a hidden dimension, Sun et al.'s control for massive activations (COLM 2024, §3): set a
 * residual-stream activation to its mean over a probe text and perplexity barely moves; set it to zero and it
 * explodes. The mean makes the control: what zeroing destroys is the activation's *value* the model relies on
 * (it acts as a bias), not the information it carries about the input. Measured on the probe's windows, on any
 * engine (the `residual-sums` observation); the ablation is an `activation` perturbation (../perturb/activation.ts).
 */
import { batchWindows } from '../corpus/windows.js';
import type { ObservableModel } from '../model/observe.js';
import type { EditPositions } from '../model/residual-edit.js';
import { setActivation, type ActivationPerturbation } from '../perturb/activation.js';

/** The residual stream's mean per hidden dim over a probe, after the embedding (layer −1) and after each decoder layer. */
export interface ResidualMeans {
  /** Per observed layer (index layer + 1), the mean per dim at position 0 of the windows: [layers + 1][d]. */
  first: Float64Array[];
  /** …over every other position. */
  rest: Float64Array[];
  /** Positions averaged: `first` over `windows`, `rest` over `restPositions`. */
  windows: number;
  restPositions: number;
}

/** The residual stream's means over `windows` (grouped by length, one forward pass per group; sums in float64 across groups). */
export async function residualMeans(model: ObservableModel, windows: readonly number[][]): Promise<ResidualMeans> {
  if (windows.length === 0) throw new Error('residual means: no windows to run (the probe text is empty)');
  const { hiddenSize: d, numLayers } = model.config;
  const layers = numLayers + 1;
  const first = Array.from({ length: layers }, () => new Float64Array(d));
  const rest = Array.from({ length: layers }, () => new Float64Array(d));
  let restPositions = 0;
  for (const group of batchWindows(windows, Infinity)) {
    const sums = await model.observe('residual-sums', group);
    restPositions += group.length * (group[0]!.length - 1);
    for (let l = 0; l < layers; l++) {
      for (let k = 0; k < d; k++) {
        first[l]![k]! += sums[(2 * l) * d + k]!;
        rest[l]![k]! += sums[(2 * l + 1) * d + k]!;
      }
    }
  }
  for (let l = 0; l < layers; l++) {
    for (let k = 0; k < d; k++) {
      first[l]![k]! /= windows.length;
      rest[l]![k] = restPositions === 0 ? 0 : rest[l]![k]! / restPositions;
    }
  }
  return { first, rest, windows: windows.length, restPositions };
}

/** The mean of dim `dim` after layer `layer` (−1: the embedding) at `positions`, over the probe. */
export function meanAt(means: ResidualMeans, layer: number, dim: number, positions: EditPositions): number {
  const l = layer + 1;
  if (!(l >= 0 && l < means.first.length)) throw new RangeError(`layer ${layer} is not −1 (the embedding) or a decoder layer (0–${means.first.length - 2})`);
  if (!(dim >= 0 && dim < means.first[0]!.length)) throw new RangeError(`dim ${dim} is outside the hidden size (0–${means.first[0]!.length - 1})`);
  const f = means.first[l]![dim]!;
  const r = means.rest[l]![dim]!;
  if (positions === 'first') return f;
  if (positions === 'rest') return r;
  return (f * means.windows + r * means.restPositions) / (means.windows + means.restPositions);
}

/** The activation set to its mean over the probe (Sun et al.'s control), as a perturbation. */
export function meanAblation(means: ResidualMeans, p: { layer: number; dim: number; positions: EditPositions }): ActivationPerturbation {
  return setActivation({ ...p, value: Math.fround(meanAt(means, p.layer, p.dim, p.positions)) });
}

/** The activation set to zero, as a perturbation. */
export function zeroAblation(p: { layer: number; dim: number; positions: EditPositions }): ActivationPerturbation {
  return setActivation({ ...p, value: 0 });
}
