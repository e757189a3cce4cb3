import { PerturbationError } from './errors.js';
import type { Edit } from './internals/edit.js';
import type { Perturbable } from '../model/perturbable.js';
import type { ResidualEdit } from '../model/residual-edit.js';
import { describe, kindOf, parsePerturbation, type Perturbation, type PerturbationInput } from './perturbation.js';

/**
 * Validates one perturbation and checks it against the model, without changing anything.
 * `which` names it in errors ("perturbation 2 of 3").
 */
function prepare(model: Perturbable, input: PerturbationInput, which: string): { weights: Edit[]; residual: ResidualEdit[] } {
  let p: Perturbation;
  try {
    p = parsePerturbation(input);
  } catch (err) {
    throw new PerturbationError(`${which}: ${(err as Error).message}`);
  }
  try {
    const kind = kindOf(p);
    return { weights: kind.edits(model, p), residual: kind.residual?.(model, p) ?? [] };
  } catch (err) {
    if (!(err instanceof PerturbationError)) throw err;
    throw new PerturbationError(`${which} (${describe(p)}): ${err.message}`);
  }
}

const label = (i: number, n: number): string => (n === 1 ? 'perturbation' : `perturbation ${i + 1} of ${n}`);

/**
 * The replacement of every weight the edits touch, applied in order on the host: a later edit of the same
 * weight reads the earlier edit's values, so two edits compose. The model's own arrays are read, never written.
 */
async function replacements(model: Perturbable, edits: readonly Edit[], into: Map<string, Float32Array>): Promise<void> {
  for (const edit of edits) into.set(edit.name, edit.apply(into.get(edit.name) ?? (await model.readWeight(edit.name))));
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
 * Runs `use` on a view of the model with the perturbations applied in order (two perturbations of one weight
 * compose); `model` itself is never changed. The view ({@link Perturbable.overlay}) reads perturbed copies of
 * the weights the perturbations touch and shares every other weight with the model; it is released when `use`
 * settles, also when it throws. So measurements that overlap on one model (`Promise.all`, `test.concurrent`, a
 * timed-out test still running in the background) each see exactly their own perturbation, and everything else
 * that reads the model sees its own weights, bit for bit. On tfjs the view's uploads are disposed, so
 * tf.memory().numTensors ends where it started (whatever `use` itself allocates is its own business). Works on
 * any {@link Perturbable}: the ONNX Runtime model's host arrays or the tfjs model's tensors.
 *
 * Each perturbation is validated and checked against the model before anything is computed. Nesting (a call
 * on the view `use` is given) perturbs the view further.
 *
 * @param use called with the perturbed view: measure `view`, not `model`.
 * @returns what `use` returns.
 * @throws PerturbationError "perturbation i of n (…): …" for a perturbation that does not fit the model;
 *   whatever `use` throws, unchanged.
 */
export async function withPerturbation<M extends Perturbable, T>(
  model: M,
  perturbations: PerturbationInput | readonly PerturbationInput[],
  use: (view: M) => Promise<T> | T,
): Promise<T> {
  const list = asList(perturbations);
  const edits = list.map((input, i) => prepare(model, input, label(i, list.length)));
  const replaced = new Map<string, Float32Array>();
  for (const e of edits) await replacements(model, e.weights, replaced);
  const view = model.overlay(replaced, edits.flatMap((e) => e.residual));
  try {
    return await use(view.model);
  } finally {
    view.release();
  }
}
