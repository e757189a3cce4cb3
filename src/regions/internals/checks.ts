/** `[4, 16]` for error messages. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * The fraction k of each matrix a region takes must lie strictly between 0 and 1.
 * @throws Error saying what k means and what was given.
 */
export function checkFraction(fraction: number, what = 'region'): void {
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
    throw new Error(
      `${what}: the fraction k of each weight matrix must be a number in (0, 1), e.g. 0.01 for the paper's 1% (got ${String(fraction)})`,
    );
  }
}

/**
 * Two tensors of the same name must have the same shape (they must come from the same model).
 * @throws Error naming the tensor and both shapes with what each belongs to.
 */
export function checkSameShape(name: string, a: readonly number[], b: readonly number[], whatA: string, whatB: string): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new Error(
      `${name} has shape ${shapeText(a)} in ${whatA} but ${shapeText(b)} in ${whatB}: they come from models of different shapes`,
    );
  }
}
