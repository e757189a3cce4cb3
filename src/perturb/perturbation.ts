import { z } from 'zod';
import { activationKind, activationSchema } from './activation.js';
import { dimensionKind, dimensionSchema } from './dimension.js';
import { PerturbationError } from './errors.js';
import type { PerturbationKind } from './internals/kind.js';
import { noiseKind, noiseSchema } from './noise.js';
import { normKind, normSchema } from './norm.js';
import { parameterKind, parameterSchema } from './parameter.js';
import { zeroRegionKind, zeroRegionSchema } from './zero-region.js';
import { firstIssue } from '../util/zod-issue.js';

/**
 * A perturbation of a model's weights (or, `activation`, of its residual stream), as data: specs write them, fast-check generates them, and
 * {@link withPerturbation} applies and always undoes them. One kind per file:
 * - `zero-region` (zero-region.ts): every entry of a region set to 0;
 * - `parameter` (parameter.ts): one entry of one weight scaled, set, shifted or noised;
 * - `dimension` (dimension.ts): a hidden dimension of a layer — rows of o_proj/down_proj, columns of q/k/v/gate/up;
 * - `norm` (norm.ts): one entry of an RMSNorm weight;
 * - `noise` (noise.ts): seeded Gaussian noise on a whole weight;
 * - `activation` (activation.ts): not a weight — one hidden dim of the residual stream set to a value (mean-ablation).
 *
 * To add a kind: write its file (schema, constructor, a {@link PerturbationKind}) and register it below.
 */
export const perturbationSchema = z.discriminatedUnion('kind', [
  zeroRegionSchema,
  parameterSchema,
  dimensionSchema,
  normSchema,
  noiseSchema,
  activationSchema,
]);

/** See {@link perturbationSchema}. Defaults filled in (a dimension's `tensors`). */
export type Perturbation = z.output<typeof perturbationSchema>;
/** A perturbation as written, before defaults. */
export type PerturbationInput = z.input<typeof perturbationSchema>;

const KINDS: { [K in Perturbation['kind']]: PerturbationKind<Extract<Perturbation, { kind: K }>> } = {
  'zero-region': zeroRegionKind,
  parameter: parameterKind,
  dimension: dimensionKind,
  norm: normKind,
  noise: noiseKind,
  activation: activationKind,
};

/** The implementation of `p`'s kind. */
export function kindOf<P extends Perturbation>(p: P): PerturbationKind<P> {
  return KINDS[p.kind] as unknown as PerturbationKind<P>;
}

/**
 * Validates a perturbation written as data (a spec, JSON, a generated value) and fills in defaults.
 * @throws PerturbationError naming the field and what was expected.
 */
export function parsePerturbation(input: unknown): Perturbation {
  const parsed = perturbationSchema.safeParse(input);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error, input);
    throw new PerturbationError(`invalid perturbation: ${issue.field === '' ? '' : `${issue.field}: `}${issue.message}`);
  }
  return parsed.data;
}

/** A human string for a perturbation, e.g. "×4 on model.layers.1.mlp.down_proj.weight[2100, 17]". */
export function describe(p: Perturbation): string {
  return kindOf(p).describe(p);
}
