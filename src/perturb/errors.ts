/**
 * A perturbation that cannot be applied to this model: an unknown weight name (the closest names are
 * listed), an index outside the weight's shape (the shape is given), a layer or hidden dimension out of
 * range, or a region selected on a model of another shape. The message says which perturbation failed.
 */
export class PerturbationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PerturbationError';
  }
}
