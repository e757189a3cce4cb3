import { z } from 'zod';
import { batchWindows } from '../corpus/windows.js';
import type { ForwardModel } from '../model/forward-model.js';
import type { ObservableModel } from '../model/observe.js';
import type { Windows } from '../model/batch.js';
import { descendingNaNFirst, median } from '../util/stats.js';
import { parseOptions } from '../util/parse-options.js';

/** Settings of {@link activationOutliers}. */
export const outlierOptionsSchema = z.strictObject({
  /** Windows per forward pass (default 8). */
  batchSize: z.number().int().positive().default(8),
  /** How many dims each layer's `top` and the overall `top` list (default 5). */
  top: z.number().int().positive().default(5),
});

export type OutlierOptions = z.input<typeof outlierOptionsSchema>;

/** One hidden dim's largest |activation| and how far above the layer's typical dim it is. */
export interface DimMagnitude {
  dim: number;
  maxAbs: number;
  /** maxAbs / the layer's median (over dims) of maxAbs. */
  ratio: number;
}

/** Largest |activation| per hidden dim over a set of positions of one layer. */
export interface PositionMagnitudes {
  /** [d]: max over the positions of |h[·, dim]|. */
  maxAbs: Float32Array;
  /** Median over dims of maxAbs. */
  median: number;
  /** The `top` dims by maxAbs, largest first. */
  top: DimMagnitude[];
}

/** The residual stream after one layer, split into the first position and the others. */
export interface LayerMagnitudes {
  /** −1: the embedding output; i: after decoder layer i. */
  layer: number;
  /** Position 0 of every window (BOS when windows start with it). */
  first: PositionMagnitudes;
  /** Every other position. */
  rest: PositionMagnitudes;
}

/** A dim at its most outlying: the layer and positions where its ratio peaks. */
export interface OutlierDim extends DimMagnitude {
  layer: number;
  positions: 'first' | 'rest';
}

/** Result of {@link activationOutliers}. */
export interface ActivationOutliers {
  windows: number;
  tokens: number;
  /** numLayers + 1 entries: the embedding output, then after each decoder layer. */
  layers: LayerMagnitudes[];
  /** The `top` dims by their largest ratio over all layers and both position sets, highest first. */
  top: OutlierDim[];
}

/** v / median, with an all-zero layer (median 0) giving ∞ for a nonzero v and 0 for a zero one; NaN where either is NaN. */
const ratioTo = (v: number, m: number): number => (m === 0 && !Number.isNaN(v) ? (v > 0 ? Number.POSITIVE_INFINITY : 0) : v / m);

function summarize(maxAbs: Float32Array, top: number): PositionMagnitudes {
  const m = median(maxAbs);
  const dims = Array.from(maxAbs, (v, dim) => ({ dim, maxAbs: v, ratio: ratioTo(v, m) }));
  dims.sort((a, b) => descendingNaNFirst(a.maxAbs, b.maxAbs) || a.dim - b.dim);
  return { maxAbs, median: m, top: dims.slice(0, top) };
}

function checkWindows(windows: Windows, vocabSize: number): void {
  if (windows.length === 0) throw new Error('activationOutliers: no token windows given');
  windows.forEach((w, i) => {
    if (w.length < 2) throw new Error(`activationOutliers: window ${i} has ${w.length} token(s); it needs a first position and at least one more`);
    const bad = w.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= vocabSize);
    if (bad >= 0) throw new Error(`activationOutliers: token id ${w[bad]} at window ${i}, position ${bad} is outside the vocabulary [0, ${vocabSize})`);
  });
}

function unsupported(): never {
  throw new Error('activationOutliers: the model offers no observations (an ONNX Runtime OrtModel or a tfjs LlamaModel does)');
}

/**
 * Massive activations (Sun et al. 2024): per layer and hidden dim, the largest |activation| of the residual
 * stream — after the embedding and after each decoder layer — separately at the first position of each
 * window (BOS, where massive activations live) and at all other positions. Each layer's dims are ranked by
 * that maximum, with its ratio to the layer's median over dims; on LLaMA-2-13B dims 2100 and 4743 stand
 * hundreds of times above it from layer 1 on.
 *
 * The ratio's denominator is the median over dims of the per-dim maximum, which is larger than Sun et
 * al.'s median over all activations, so our ratios are the more conservative of the two.
 */
export async function activationOutliers(model: ForwardModel & Partial<Pick<ObservableModel, 'observe'>>, windows: Windows, options: OutlierOptions = {}): Promise<ActivationOutliers> {
  const { batchSize, top } = parseOptions(outlierOptionsSchema, options, 'activationOutliers');
  const { config } = model;
  const d = config.hiddenSize;
  checkWindows(windows, config.vocabSize);
  const layers = config.numLayers + 1;
  // [layers][d], running maxima over batches.
  const first = Array.from({ length: layers }, () => new Float32Array(d));
  const rest = Array.from({ length: layers }, () => new Float32Array(d));
  let tokens = 0;
  for (const batch of batchWindows(windows.map((w) => [...w]), batchSize)) {
    const [b, seq] = [batch.length, batch[0]!.length];
    tokens += b * seq;
    // [layers, 2, d]: per layer, max |h| at position 0 and at positions 1.., over the batch.
    const data = model.observe === undefined ? unsupported() : await model.observe('residual-maxima', batch);
    for (let l = 0; l < layers; l++) {
      for (let j = 0; j < d; j++) {
        first[l]![j] = Math.max(first[l]![j]!, data[(l * 2) * d + j]!);
        rest[l]![j] = Math.max(rest[l]![j]!, data[(l * 2 + 1) * d + j]!);
      }
    }
  }
  const perLayer = first.map((f, l): LayerMagnitudes => ({ layer: l - 1, first: summarize(f, top), rest: summarize(rest[l]!, top) }));
  const best = new Map<number, OutlierDim>();
  for (const layer of perLayer) {
    for (const positions of ['first', 'rest'] as const) {
      const { maxAbs, median: m } = layer[positions];
      maxAbs.forEach((v, dim) => {
        const ratio = ratioTo(v, m);
        const prev = best.get(dim);
        // The largest ratio over layers, NaN where one is NaN (NaN > x is false: it would be skipped).
        if (prev === undefined || (!Number.isNaN(prev.ratio) && (Number.isNaN(ratio) || ratio > prev.ratio))) best.set(dim, { dim, maxAbs: v, ratio, layer: layer.layer, positions });
      });
    }
  }
  const ranked = [...best.values()].sort((a, b) => descendingNaNFirst(a.ratio, b.ratio) || a.dim - b.dim);
  return { windows: windows.length, tokens, layers: perLayer, top: ranked.slice(0, top) };
}
