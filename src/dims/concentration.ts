import { z } from 'zod';
import { expectedWeightShapes, type ModelConfig } from '../checkpoint/config.js';
import { hiddenAxis } from '../perturb/hidden-axis.js';
import { assertRegionFits } from '../perturb/region-fit.js';
import type { Region } from '../regions/types.js';
import { sliceMoments, zScore } from './internals/binomial.js';
import { parseOptions } from '../util/parse-options.js';

/**
 * Settings of {@link regionConcentration}.
 *
 * The statistic is a binomial z-score per hidden dimension. If a weight's region entries were spread
 * uniformly, the entries on one hidden dimension of an [R, C] matrix (a row of C entries for o_proj /
 * down_proj, a column of R entries for q/k/v/gate/up) would be Binomial(n, p), with n the slice length
 * and p the weight's own region fraction (its count / size — k for a per-matrix top-k region, less for
 * a monolingual one). Summed over the layers' weights of one role, a dimension's count has
 * mean Σ n·p and variance Σ n·p·(1 − p), and z = (count − mean) / √variance.
 *
 * A dimension is flagged when z ≥ `zThreshold` AND count ≥ `minCount`. The default 6 is a Bonferroni
 * bound with margin: testing d = 4096–8192 dimensions at a family-wise error of 0.001 needs a one-sided
 * normal z of 5.0–5.2, and the normal approximation understates the binomial's right tail when the
 * expected count is small, so we round up to 6. `minCount` (default 5) guards the regime where the
 * approximation fails outright: a dimension expected to hold 0.01 entries that holds 1 has z ≈ 10, yet
 * that happens by chance on one of 100 dimensions. On LLaMA-size models expected counts are in the
 * thousands and only z matters.
 *
 * p includes the concentrated entries themselves, so a region that lines up strongly on a few dims pushes
 * the other dims slightly below their expectation (negative z); flags only look upward.
 */
export const concentrationOptionsSchema = z.strictObject({
  /** Flag a dimension whose z reaches this (default 6). */
  zThreshold: z.number().positive().default(6),
  /** …and that holds at least this many region entries (default 5). */
  minCount: z.number().int().nonnegative().default(5),
  /** How many dimensions `top` lists per role (default 10). */
  top: z.number().int().positive().default(10),
});

export type ConcentrationOptions = z.input<typeof concentrationOptionsSchema>;

/** Region entries per row and per column of one weight (a vector [n] counts as n rows of one column). */
export interface MatrixCounts {
  shape: number[];
  /** Region entries in the weight. */
  entries: number;
  /** entries / size. */
  fraction: number;
  /** [rows]: entries per row. */
  rowCounts: Uint32Array;
  /** [cols]: entries per column. */
  colCounts: Uint32Array;
}

/** One hidden dimension: its region entries against a uniform spread. */
export interface DimensionCount {
  dim: number;
  count: number;
  /** Σ n·p over the role's weights. */
  expected: number;
  z: number;
  flagged: boolean;
}

/**
 * Region entries per hidden dimension, summed over every decoder layer's weights of one role:
 * `writes` = rows of o_proj and down_proj (and their biases), `reads` = columns of q/k/v/gate/up_proj,
 * `norms` = entries of input_layernorm and post_attention_layernorm.
 */
export interface RoleConcentration {
  role: 'writes' | 'reads' | 'norms';
  /** The region's weights of this role. */
  weights: string[];
  entries: number;
  /** [d]: one per hidden dim, by dim. */
  dims: DimensionCount[];
  /** The `top` dims by z (then count), highest first. */
  top: DimensionCount[];
  /** Every flagged dim, highest z first. */
  flagged: DimensionCount[];
}

/** Result of {@link regionConcentration}. */
export interface RegionConcentration {
  zThreshold: number;
  minCount: number;
  /** Per weight of the region, by HF name. */
  matrices: Map<string, MatrixCounts>;
  writes: RoleConcentration;
  reads: RoleConcentration;
  norms: RoleConcentration;
}

function countRowsAndColumns(mask: { shape: number[]; data: Uint8Array }): MatrixCounts {
  const [rows = 1, cols = 1] = mask.shape;
  const rowCounts = new Uint32Array(rows);
  const colCounts = new Uint32Array(cols);
  let entries = 0;
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    for (let c = 0; c < cols; c++) {
      if (mask.data[start + c] !== 0) {
        rowCounts[r]!++;
        colCounts[c]!++;
      }
    }
    entries += rowCounts[r]!;
  }
  return { shape: [...mask.shape], entries, fraction: entries / (rows * cols), rowCounts, colCounts };
}

const ROLES = { writes: 'writes', reads: 'reads', norm: 'norms' } as const;

/**
 * Does the region line up on a few hidden dimensions (the paper's "dimensional dependence")? Counts the
 * region's entries per row and column of each weight, and per hidden dimension summed over the decoder
 * layers' residual writers, readers and norms, with a binomial z-score against a uniform spread (see
 * {@link concentrationOptionsSchema} for the statistic and its threshold). Needs only the config, not
 * the weights. Embedding, final norm and LM head entries (the paper excludes them) count per matrix only.
 *
 * @throws PerturbationError if a mask does not fit the config's weight shapes (a region of another model).
 */
export function regionConcentration(region: Region, config: ModelConfig, options: ConcentrationOptions = {}): RegionConcentration {
  const { zThreshold, minCount, top } = parseOptions(concentrationOptionsSchema, options, 'regionConcentration');
  assertRegionFits(region, expectedWeightShapes(config));
  const d = config.hiddenSize;
  const matrices = new Map<string, MatrixCounts>();
  const sums = Object.fromEntries(
    Object.values(ROLES).map((role) => [role, { weights: [] as string[], entries: 0, count: new Float64Array(d), mean: new Float64Array(d), variance: new Float64Array(d) }]),
  ) as Record<RoleConcentration['role'], { weights: string[]; entries: number; count: Float64Array; mean: Float64Array; variance: Float64Array }>;

  for (const [name, mask] of region.masks) {
    const counts = countRowsAndColumns(mask);
    matrices.set(name, counts);
    const axis = hiddenAxis(name);
    if (axis === null || axis.layer === null) continue;
    const sum = sums[ROLES[axis.role]];
    sum.weights.push(name);
    sum.entries += counts.entries;
    const perDim = axis.axis === 0 ? counts.rowCounts : counts.colCounts;
    const sliceLength = axis.axis === 0 ? counts.colCounts.length : counts.rowCounts.length;
    const { mean, variance } = sliceMoments(sliceLength, counts.fraction);
    for (let j = 0; j < d; j++) {
      sum.count[j]! += perDim[j]!;
      sum.mean[j]! += mean;
      sum.variance[j]! += variance;
    }
  }

  const role = (name: RoleConcentration['role']): RoleConcentration => {
    const s = sums[name];
    const dims = Array.from({ length: d }, (_, dim): DimensionCount => {
      const count = s.count[dim]!;
      const z = zScore(count, s.mean[dim]!, s.variance[dim]!);
      return { dim, count, expected: s.mean[dim]!, z, flagged: z >= zThreshold && count >= minCount };
    });
    const ranked = [...dims].sort((a, b) => b.z - a.z || b.count - a.count || a.dim - b.dim);
    return { role: name, weights: s.weights, entries: s.entries, dims, top: ranked.slice(0, top), flagged: ranked.filter((x) => x.flagged) };
  };
  return { zThreshold, minCount, matrices, writes: role('writes'), reads: role('reads'), norms: role('norms') };
}
