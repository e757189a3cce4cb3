/**
 * Wanda's importance (Sun et al., 2023, "A Simple and Effective Pruning Approach for Large Language Models";
 * locuslab/wanda): S_ij = |W_ij| · ‖X_j‖₂ — each weight of a linear layer times the ℓ2 norm of its input
 * channel j over the calibration tokens. Forward only: no backward pass, no language-specific objective; a
 * rival of the paper's |θ ⊙ Σ∇L| whose top/bottom k per matrix are region kinds like the gradient's.
 *
 * Scored: the seven linear weights of every decoder layer (q, k, v, o, gate, up, down); norms and embeddings
 * are not linear inputs in Wanda's sense and are left out of the map (so a region selected on it holds none).
 * Wanda itself compares weights within each output row to prune; a region here is top-k per matrix, as the
 * paper's regions are — the score is Wanda's, the selection the paper's.
 */
import { batchWindows } from '../corpus/windows.js';
import { linearInputs, type ObservableModel } from '../model/observe.js';
import type { ImportanceMap } from './types.js';

export interface WandaOptions {
  /** Windows per forward pass (default 8). */
  batchSize?: number;
  /** Languages of the calibration text, recorded in the map. */
  languages?: string[];
  /** Extra provenance (checkpoint and text hashes…). */
  provenance?: Record<string, string>;
}

/** Wanda's scores of the model's linear weights over `windows` (token ids, BOS-led; any lengths). */
export async function wandaImportance(model: ObservableModel, windows: readonly (readonly number[])[], options: WandaOptions = {}): Promise<ImportanceMap> {
  if (windows.length === 0) throw new Error('wandaImportance: no calibration windows (the text is empty)');
  // Σ x² per input channel, in float64 over every pass; the weights reading one input (q/k/v, gate/up) share its sum.
  const inputs = linearInputs(model.config);
  const sums = inputs.map(() => null as Float64Array | null);
  let tokens = 0;
  for (const batch of batchWindows(windows, options.batchSize ?? 8)) {
    tokens += batch.length * batch[0]!.length;
    const squares = await model.observe('input-square-sums', batch);
    inputs.forEach((weights, k) => {
      const sq = squares.get(weights[0]!)!;
      const acc = (sums[k] ??= new Float64Array(sq.length));
      for (let j = 0; j < sq.length; j++) acc[j]! += sq[j]!;
    });
  }
  const scores: ImportanceMap['scores'] = new Map();
  for (const [name, sq] of inputs.flatMap((weights, k) => weights.map((name) => [name, sums[k]!] as const))) {
    const shape = [...model.weightShape(name)];
    const [rows, cols] = shape as [number, number];
    if (cols !== sq.length) throw new Error(`wandaImportance: ${name} reads ${cols} channels but its input has ${sq.length}`);
    const w = await model.readWeight(name);
    const norm = Float64Array.from(sq, Math.sqrt);
    const data = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = Math.abs(w[r * cols + c]!) * norm[c]!;
    scores.set(name, { shape, data });
  }
  return {
    languages: [...(options.languages ?? [])],
    scores,
    provenance: { objective: 'wanda: |W| · ‖X‖₂ per input channel (Sun et al. 2023)', tokens: String(tokens), windows: String(windows.length), ...options.provenance },
  };
}
