/**
 * Forward-only detectors of the phenomenon behind the paper's finding 2 ("one parameter ×4 at dimension
 * 2100 of LLaMA-2-13B destroys Chinese"), as two later papers locate it:
 *
 * - **Massive activations** (Sun et al., COLM 2024): a few residual-stream dimensions carry values orders of
 *   magnitude above the rest, on the first token and on delimiter tokens. Their criterion, used here by
 *   default: magnitude above 100 and at least 1,000× the median magnitude of that layer's hidden states.
 * - **Super weights** (Yu et al., 2024): a single scalar of an early layer's `mlp.down_proj.weight` creates
 *   them. One forward pass finds it: the layer whose down_proj output spikes on one hidden dim (the row) while
 *   its input spikes on one channel (the column).
 *
 * Both read a model's activations (../model/observe.ts, on every engine) on a few token windows; every number they report is measured there.
 */
import { layerWeight } from '../checkpoint/names.js';
import { batchWindows } from '../corpus/windows.js';
import type { Activations, ObservableModel } from '../model/observe.js';
import { median } from '../util/stats.js';
import { matchKnownSuperWeight, type KnownSuperWeight } from './known.js';

/** Where in a window an activation sits: the first token, a delimiter token (`.`, `\n`, …), or any other. */
export type PositionKind = 'first' | 'delimiter' | 'other';

/** One activation: its magnitude, residual dim, position in its window and what kind of token is there. */
export interface Peak {
  value: number;
  dim: number;
  position: number;
  kind: PositionKind;
  token: number;
}

/** The residual stream after one layer (−1: the embedding output). */
export interface LayerProfile {
  layer: number;
  /** Median |h| over every position and dim of the probe. */
  median: number;
  /** The three largest |h| on distinct dims, largest first. */
  top: Peak[];
  /** top[0].value / median. */
  ratio: number;
  /** The largest |h| at each kind of position (null where the probe has none of that kind). */
  byKind: Record<PositionKind, { value: number; dim: number } | null>;
  /** Per probe window, the largest |h| on top[0]'s dim: what a bootstrap of the ratio over the windows resamples. */
  windowPeaks: number[];
}

/** What {@link massiveActivations} found. */
export interface MassiveActivations {
  layers: LayerProfile[];
  /** Residual dims holding a massive activation in some layer, with those layers and the largest ratio. */
  massive: { dim: number; layers: number[]; maxValue: number; maxRatio: number; kinds: PositionKind[] }[];
  criterion: { minValue: number; minRatio: number };
  windows: number;
  tokens: number;
}

/** The down_proj spikes of one layer (maxima over the probe's positions). */
export interface DownProjProfile {
  layer: number;
  /** The input channel with the largest |input|, and that magnitude. */
  input: { value: number; channel: number };
  /** The output dim with the largest |output|, and that magnitude. */
  output: { value: number; dim: number };
  /** output.value / the median over dims of each dim's largest |output|. */
  outputRatio: number;
  /** Per probe window, the largest |output| on output.dim: what a bootstrap of the ratio over the windows resamples. */
  windowOutputs: number[];
}

/** A super-weight candidate: `model.layers.<layer>.mlp.down_proj.weight[row][col]`. */
export interface SuperWeightCandidate {
  layer: number;
  row: number;
  col: number;
  /** The weight's value. */
  weight: number;
  inputValue: number;
  outputValue: number;
  outputRatio: number;
  /** A published coordinate this one equals, on a checkpoint of the same shape (./known.ts), or null. */
  known: KnownSuperWeight | null;
}

/** What {@link superWeights} found. */
export interface SuperWeights {
  layers: DownProjProfile[];
  /** Layers whose output spike reaches `minRatio`, strongest first. */
  candidates: SuperWeightCandidate[];
  criterion: { minRatio: number };
  windows: number;
  tokens: number;
}

/** Sun et al.'s criterion for a massive activation: above this magnitude… */
export const MASSIVE_MIN_VALUE = 100;
/** …and at least this many times its layer's median |activation|. */
export const MASSIVE_MIN_RATIO = 1000;
/** Yu et al.'s candidate super weight: a layer whose down_proj output spikes to this many times its median dim. */
export const SUPER_WEIGHT_MIN_RATIO = 50;

/** Settings of the detectors. */
export interface DetectOptions {
  /** Which token ids are delimiters (Sun et al.: the first period or newline). Default: none. */
  isDelimiter?: (token: number) => boolean;
  /** Massive activations: the least magnitude (default 100, Sun et al.'s). */
  minValue?: number;
  /** Massive activations: the least ratio to the layer's median (default 1,000); super weights: the least output spike ratio (default 50). */
  minRatio?: number;
}

/**
 * Sun et al.'s delimiters: a token that decodes to `.`, a newline or `。` (spaces ignored), decoded once per
 * id. `decode` is the tokenizer's.
 */
export function delimiterTest(decode: (ids: number[]) => string): (token: number) => boolean {
  const known = new Map<number, boolean>();
  return (id) => {
    let is = known.get(id);
    if (is === undefined) {
      const text = decode([id]).replace(/ /g, '');
      known.set(id, (is = text === '.' || text === '\n' || text === '。'));
    }
    return is;
  };
}

/**
 * Bumped whenever a detector's arithmetic changes: it enters the key of every cached detector result.
 * 2: a NaN among a layer's magnitudes makes its median NaN (the typed sort had put it last, out of the way).
 * 3: the profiles keep each window's peak (windowPeaks, windowOutputs) for the ratios' intervals.
 */
export const DETECT_REVISION = 3;

/** peak ÷ median: Infinity for a zero median under a positive peak, NaN where either is NaN (it meets no criterion). */
function ratioTo(peak: number, med: number): number {
  return med === 0 ? (peak > 0 ? Infinity : NaN) : peak / med;
}

/** The median magnitude: NaN where any value is NaN, so a broken layer meets no criterion. */
const medianAbs = (values: Float32Array): number => median(values.map(Math.abs));

/** Groups equal-length windows, runs each group once, and calls `use` with each group's activations. */
async function eachGroup(model: ObservableModel, windows: readonly number[][], use: (group: number[][], a: Activations) => void): Promise<void> {
  if (windows.length === 0) throw new Error('detect: no windows to run (the text is empty)');
  for (const group of batchWindows(windows, Infinity)) use(group, await model.observe('activations', group));
}

/**
 * Per layer, the largest residual-stream magnitudes, where they sit, and their ratio to the median; and the
 * dims that meet Sun et al.'s criterion in some layer.
 */
export async function massiveActivations(model: ObservableModel, windows: readonly number[][], options: DetectOptions = {}): Promise<MassiveActivations> {
  const { hiddenSize: d, numLayers } = model.config;
  const minValue = options.minValue ?? MASSIVE_MIN_VALUE;
  const minRatio = options.minRatio ?? MASSIVE_MIN_RATIO;
  const isDelimiter = options.isDelimiter ?? (() => false);
  const layers = numLayers + 1;
  // Per layer: every |h| (for the median), the best peak per dim, the best per position kind.
  const all: Float32Array[][] = Array.from({ length: layers }, () => []);
  const bestPerDim: Peak[][] = Array.from({ length: layers }, () => []);
  const byKind = Array.from({ length: layers }, () => ({ first: null, delimiter: null, other: null }) as LayerProfile['byKind']);
  let tokens = 0;
  const seqs: number[] = []; // each window's length, in the order the blocks hold them
  await eachGroup(model, windows, (group, a) => {
    const seq = group[0]!.length;
    const n = group.length * seq;
    tokens += n;
    for (let w = 0; w < group.length; w++) seqs.push(seq);
    // Each position's token and kind, once for all layers.
    const tokenAt = group.flat();
    const kindAt: PositionKind[] = tokenAt.map((token, t) => (t % seq === 0 ? 'first' : isDelimiter(token) ? 'delimiter' : 'other'));
    for (let l = 0; l < layers; l++) {
      const block = a.hidden.subarray(l * n * d, (l + 1) * n * d);
      all[l]!.push(block);
      for (let t = 0; t < n; t++) {
        const position = t % seq;
        const token = tokenAt[t]!;
        const kind = kindAt[t]!;
        for (let k = 0; k < d; k++) {
          const value = Math.abs(block[t * d + k]!);
          const best = bestPerDim[l]![k];
          if (best === undefined || value > best.value) bestPerDim[l]![k] = { value, dim: k, position, kind, token };
          const slot = byKind[l]![kind];
          if (slot === null || value > slot.value) byKind[l]![kind] = { value, dim: k };
        }
      }
    }
  });
  const profiles: LayerProfile[] = [];
  const massive = new Map<number, MassiveActivations['massive'][number]>();
  for (let l = 0; l < layers; l++) {
    const values = new Float32Array(all[l]!.reduce((s, b) => s + b.length, 0));
    let offset = 0;
    for (const b of all[l]!) values.set(b, (offset += b.length) - b.length);
    const med = medianAbs(values);
    const top = [...bestPerDim[l]!].sort((x, y) => y.value - x.value).slice(0, 3);
    const layer = l - 1;
    // Each window's largest |h| on the top dim: the blocks hold the windows' positions one after another.
    const windowPeaks: number[] = [];
    let t = 0;
    for (const seq of seqs) {
      let peak = 0;
      for (let k = 0; k < seq; k++, t++) peak = Math.max(peak, Math.abs(values[t * d + top[0]!.dim]!));
      windowPeaks.push(peak);
    }
    profiles.push({ layer, median: med, top, ratio: ratioTo(top[0]!.value, med), byKind: byKind[l]!, windowPeaks });
    for (const peak of bestPerDim[l]!) {
      const ratio = ratioTo(peak.value, med);
      if (!(peak.value > minValue && ratio >= minRatio)) continue; // NaN meets neither
      const entry = massive.get(peak.dim) ?? { dim: peak.dim, layers: [], maxValue: 0, maxRatio: 0, kinds: [] };
      entry.layers.push(layer);
      entry.maxValue = Math.max(entry.maxValue, peak.value);
      entry.maxRatio = Math.max(entry.maxRatio, ratio);
      if (!entry.kinds.includes(peak.kind)) entry.kinds.push(peak.kind);
      massive.set(peak.dim, entry);
    }
  }
  return {
    layers: profiles,
    massive: [...massive.values()].sort((a, b) => b.maxValue - a.maxValue),
    criterion: { minValue, minRatio },
    windows: windows.length,
    tokens,
  };
}

/**
 * Per layer, the down_proj input channel and output dim with the largest magnitudes over the probe; a layer
 * whose output spike is at least `minRatio` × the median dim's maximum gives a candidate (layer, row = that
 * dim, col = that channel), as Yu et al. find super weights.
 */
export async function superWeights(model: ObservableModel, windows: readonly number[][], options: DetectOptions = {}): Promise<SuperWeights> {
  const { hiddenSize: d, intermediateSize: ffn, numLayers } = model.config;
  const minRatio = options.minRatio ?? SUPER_WEIGHT_MIN_RATIO;
  const inMax = new Float32Array(numLayers * ffn);
  const outMax = new Float32Array(numLayers * d);
  let tokens = 0;
  const byWindow: Float32Array[][] = Array.from({ length: numLayers }, () => []); // per layer, each window's |output| maxima per dim
  await eachGroup(model, windows, (group, a) => {
    tokens += group.length * group[0]!.length;
    for (let i = 0; i < inMax.length; i++) inMax[i] = Math.max(inMax[i]!, a.downInMax[i]!);
    for (let i = 0; i < outMax.length; i++) outMax[i] = Math.max(outMax[i]!, a.downOutMax[i]!);
    for (let l = 0; l < numLayers; l++) {
      for (let b = 0; b < group.length; b++) byWindow[l]!.push(a.downOutMaxByWindow.subarray((l * group.length + b) * d, (l * group.length + b + 1) * d));
    }
  });
  const argmax = (xs: Float32Array) => xs.reduce((best, x, i) => (x > xs[best]! ? i : best), 0);
  const layers: DownProjProfile[] = [];
  const candidates: SuperWeightCandidate[] = [];
  for (let l = 0; l < numLayers; l++) {
    const ins = inMax.subarray(l * ffn, (l + 1) * ffn);
    const outs = outMax.subarray(l * d, (l + 1) * d);
    const channel = argmax(ins);
    const dim = argmax(outs);
    const med = medianAbs(outs);
    const profile = {
      layer: l,
      input: { value: ins[channel]!, channel },
      output: { value: outs[dim]!, dim },
      outputRatio: ratioTo(outs[dim]!, med),
      windowOutputs: byWindow[l]!.map((w) => w[dim]!),
    };
    layers.push(profile);
    if (!(profile.outputRatio >= minRatio)) continue; // a NaN spike is no candidate
    const weight = (await model.readWeight(layerWeight(l, 'down_proj')))[dim * ffn + channel]!;
    const coordinate = { layer: l, row: dim, col: channel };
    candidates.push({
      ...coordinate,
      weight,
      inputValue: profile.input.value,
      outputValue: profile.output.value,
      outputRatio: profile.outputRatio,
      known: matchKnownSuperWeight(model.config, coordinate),
    });
  }
  candidates.sort((a, b) => b.outputRatio - a.outputRatio);
  return { layers, candidates, criterion: { minRatio }, windows: windows.length, tokens };
}
