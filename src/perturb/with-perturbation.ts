import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/model.js';
import { PerturbationError } from './errors.js';
import type { Edit } from './internals/edit.js';
import { describe, kindOf, parsePerturbation, type Perturbation, type PerturbationInput } from './perturbation.js';

/**
 * Validates one perturbation and checks it against the model, without changing anything.
 * `which` names it in errors ("perturbation 2 of 3").
 */
function prepare(model: LlamaModel, input: PerturbationInput, which: string): Edit[] {
  let p: Perturbation;
  try {
    p = parsePerturbation(input);
  } catch (err) {
    throw new PerturbationError(`${which}: ${(err as Error).message}`);
  }
  try {
    return kindOf(p).edits(model, p);
  } catch (err) {
    if (!(err instanceof PerturbationError)) throw err;
    throw new PerturbationError(`${which} (${describe(p)}): ${err.message}`);
  }
}

const label = (i: number, n: number): string => (n === 1 ? 'perturbation' : `perturbation ${i + 1} of ${n}`);

/**
 * Applies the edits in order, recording in `originals` the model's own tensor of each weight the first
 * time it is replaced (a later replacement of the same weight disposes our intermediate).
 */
function apply(model: LlamaModel, edits: readonly Edit[], originals: Map<string, tf.Tensor>): void {
  for (const edit of edits) {
    const current = model.weight(edit.name);
    const next = tf.tidy(() => edit.apply(current));
    let prev: tf.Tensor;
    try {
      prev = model.swapWeight(edit.name, next);
    } catch (err) {
      next.dispose();
      throw err;
    }
    if (originals.has(edit.name)) prev.dispose();
    else originals.set(edit.name, prev);
  }
}

/** Puts every original tensor back and disposes the perturbed ones. */
function restore(model: LlamaModel, originals: ReadonlyMap<string, tf.Tensor>): void {
  for (const [name, original] of originals) model.swapWeight(name, original).dispose();
}

function asList(perturbations: PerturbationInput | readonly PerturbationInput[]): readonly PerturbationInput[] {
  return Array.isArray(perturbations) ? perturbations : [perturbations as PerturbationInput];
}

/**
 * Checks perturbations against the model without applying them — to fail fast before an expensive
 * baseline measurement.
 * @throws PerturbationError exactly as {@link withPerturbation} would.
 */
export function assertApplicable(model: LlamaModel, perturbations: PerturbationInput | readonly PerturbationInput[]): void {
  const list = asList(perturbations);
  list.forEach((input, i) => prepare(model, input, label(i, list.length)));
}

/**
 * Runs `use` on the model with the perturbations applied in order (two perturbations of one weight
 * compose), then restores the model — always: also when `use` throws, and when a perturbation fails
 * halfway (the ones already applied are undone). Restoring swaps the model's original tensor objects
 * back, so every weight is bit-for-bit what it was, and the perturbed tensors are disposed:
 * tf.memory().numTensors ends where it started (whatever `use` itself allocates is its own business).
 *
 * Each perturbation is validated and checked against the model just before it is applied. Not safe for
 * concurrent calls on one model (nesting, awaited in turn, is fine).
 *
 * @returns what `use` returns.
 * @throws PerturbationError "perturbation i of n (…): …" for a perturbation that does not fit the model;
 *   whatever `use` throws, unchanged.
 */
export async function withPerturbation<T>(
  model: LlamaModel,
  perturbations: PerturbationInput | readonly PerturbationInput[],
  use: (model: LlamaModel) => Promise<T> | T,
): Promise<T> {
  const list = asList(perturbations);
  const originals = new Map<string, tf.Tensor>();
  try {
    list.forEach((input, i) => apply(model, prepare(model, input, label(i, list.length)), originals));
    return await use(model);
  } finally {
    restore(model, originals);
  }
}
