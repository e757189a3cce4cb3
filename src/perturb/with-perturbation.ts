import { PerturbationError } from './errors.js';
import type { Edit } from './internals/edit.js';
import type { Perturbable } from '../model/perturbable.js';
import { describe, kindOf, parsePerturbation, type Perturbation, type PerturbationInput } from './perturbation.js';

/**
 * Validates one perturbation and checks it against the model, without changing anything.
 * `which` names it in errors ("perturbation 2 of 3").
 */
function prepare(model: Perturbable, input: PerturbationInput, which: string): Edit[] {
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
 * Applies the edits in order, pushing onto `restores` the function that undoes each replacement; undone
 * last-first, the model gets back its own weight objects (a later edit of the same weight reads the
 * earlier edit's values, so two edits compose).
 */
async function apply(model: Perturbable, edits: readonly Edit[], restores: (() => void)[]): Promise<void> {
  for (const edit of edits) {
    const next = edit.apply(await model.readWeight(edit.name));
    restores.push(model.replaceWeight(edit.name, next));
  }
}

function asList(perturbations: PerturbationInput | readonly PerturbationInput[]): readonly PerturbationInput[] {
  return Array.isArray(perturbations) ? perturbations : [perturbations as PerturbationInput];
}

/**
 * Checks perturbations against the model without applying them — to fail fast before an expensive
 * baseline measurement.
 * @throws PerturbationError exactly as {@link withPerturbation} would.
 */
export function assertApplicable(model: Perturbable, perturbations: PerturbationInput | readonly PerturbationInput[]): void {
  const list = asList(perturbations);
  list.forEach((input, i) => prepare(model, input, label(i, list.length)));
}

/**
 * Runs `use` on the model with the perturbations applied in order (two perturbations of one weight
 * compose), then restores the model — always: also when `use` throws, and when a perturbation fails
 * halfway (the ones already applied are undone). Restoring puts the model's original weight objects
 * back, so every weight is bit-for-bit what it was; on tfjs the perturbed tensors are disposed, so
 * tf.memory().numTensors ends where it started (whatever `use` itself allocates is its own business).
 * Works on any {@link Perturbable}: the ONNX Runtime model's host arrays or the tfjs model's tensors.
 *
 * Each perturbation is validated and checked against the model just before it is applied. Not safe for
 * concurrent calls on one model (nesting, awaited in turn, is fine).
 *
 * @returns what `use` returns.
 * @throws PerturbationError "perturbation i of n (…): …" for a perturbation that does not fit the model;
 *   whatever `use` throws, unchanged.
 */
export async function withPerturbation<M extends Perturbable, T>(
  model: M,
  perturbations: PerturbationInput | readonly PerturbationInput[],
  use: (model: M) => Promise<T> | T,
): Promise<T> {
  const list = asList(perturbations);
  const restores: (() => void)[] = [];
  try {
    for (const [i, input] of list.entries()) await apply(model, prepare(model, input, label(i, list.length)), restores);
    return await use(model);
  } finally {
    for (const restore of restores.reverse()) restore();
  }
}
