/**
 * An edit of the residual stream during a forward pass — the activation-level intervention (Sun et al.'s control
 * for massive activations: set them to their mean and perplexity stays, to zero and it explodes). Written once over
 * {@link Ops}, so every engine's forward pass, observations and gradients apply it the same way.
 */
import type { ModelConfig } from '../checkpoint/config.js';
import type { Ops } from './ops.js';

/** Which positions of every window an edit sets: the first (BOS where the tokenizer adds one), every other, or all. */
export type EditPositions = 'first' | 'rest' | 'all';

/**
 * After layer `layer` (−1: the embedding output, i: decoder layer i's output — the observers' numbering), hidden dim
 * `dim` at `positions` of every window is set to `value`; every other activation is left exactly as it was.
 */
export interface ResidualEdit {
  layer: number;
  dim: number;
  positions: EditPositions;
  value: number;
}

/** "the embedding", "layer 3": where in the residual stream an edit (or an observer) sits, in words. */
export const residualSiteName = (layer: number): string => (layer < 0 ? 'the embedding' : `layer ${layer}`);

/** The positions an edit sets, in words. */
export const POSITIONS_IN_WORDS: Record<EditPositions, string> = { first: 'the first position', rest: 'every position but the first', all: 'every position' };

/**
 * Throws a RangeError naming the edit and what is wrong unless every edit fits the model: −1 ≤ layer < numLayers,
 * 0 ≤ dim < hiddenSize, a known positions word and a finite value (an engine would otherwise compile a graph
 * that reads outside the stream, or NaN it).
 */
export function checkEdits(config: ModelConfig, edits: readonly ResidualEdit[]): void {
  edits.forEach((e, i) => {
    const which = edits.length === 1 ? 'residual edit' : `residual edit ${i + 1} of ${edits.length}`;
    if (!Number.isInteger(e.layer) || e.layer < -1 || e.layer >= config.numLayers) {
      throw new RangeError(`${which}: layer ${e.layer} is not −1 (the embedding output) or a decoder layer (0–${config.numLayers - 1})`);
    }
    if (!Number.isInteger(e.dim) || e.dim < 0 || e.dim >= config.hiddenSize) throw new RangeError(`${which}: dim ${e.dim} is outside the hidden size (0–${config.hiddenSize - 1})`);
    if (!['first', 'rest', 'all'].includes(e.positions)) throw new RangeError(`${which}: positions must be 'first', 'rest' or 'all' (got ${String(e.positions)})`);
    if (!Number.isFinite(e.value)) throw new RangeError(`${which}: value must be a finite number (got ${e.value})`);
  });
}

/** A key naming a list of edits, for caches of compiled graphs ('' for none). */
export function editsKey(edits: readonly ResidualEdit[]): string {
  return edits.map((e) => `${e.layer}:${e.dim}:${e.positions}:${e.value}`).join(';');
}

/**
 * `h` [batch·seq, d] with the edits for `layer` applied: h + P·(value − h), where P is 1 at the edited
 * (position, dim) entries and 0 elsewhere (an outer product of a position and a dim indicator, so the constants are
 * [batch·seq, 1] and [1, d]). An entry P leaves alone is h + 0·(value − h) = h, bit for bit (for finite h); an edited
 * one is value to within an ulp of it.
 */
export function applyEdits<T>(ops: Ops<T>, h: T, layer: number, edits: readonly ResidualEdit[] | undefined, batch: number, seq: number, d: number): T {
  for (const e of edits ?? []) {
    if (e.layer !== layer) continue;
    const rows = new Float32Array(batch * seq);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < seq; t++) rows[b * seq + t] = e.positions === 'all' || (t === 0) === (e.positions === 'first') ? 1 : 0;
    }
    const cols = new Float32Array(d);
    cols[e.dim] = 1;
    const mask = ops.mul(ops.constant(rows, [batch * seq, 1]), ops.constant(cols, [1, d]));
    h = ops.add(h, ops.mul(mask, ops.addScalar(ops.neg(h), e.value)));
  }
  return h;
}
