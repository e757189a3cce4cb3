import type { Perturbable } from '../../model/perturbable.js';
import type { ResidualEdit } from '../../model/residual-edit.js';
import type { Edit } from './edit.js';

/**
 * What each perturbation kind provides (one file per kind, registered in `perturbation.ts`):
 * `describe` is the human string, `edits` checks the perturbation against the model — throwing a
 * PerturbationError before anything changes — and says which weights to replace and how; `residual`, which
 * activations to set in the forward passes.
 */
export interface PerturbationKind<P> {
  describe(p: P): string;
  edits(model: Perturbable, p: P): Edit[];
  /** The residual-stream edits it makes in every forward pass (an activation kind; weight kinds make none). */
  residual?(model: Perturbable, p: P): ResidualEdit[];
}
