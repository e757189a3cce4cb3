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
import type { ObservableModel } from '../model/observe.js';
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
  const batchSize = options.batchSize ?? 8;
  // Σ x² per input channel, in float64 over every call; weights reading the same input share one sum.
  const sums = new Map<string, Float64Array>();
  const byLength = new Map<number, (readonly number[])[]>();
  for (const w of windows) (byLength.get(w.length) ?? byLength.set(w.length, []).get(w.length)!).push(w);
  let tokens = 0;
  for (const group of byLength.values()) {
    for (let i = 0; i < group.length; i += batchSize) {
      const batch = group.slice(i, i + batchSize);
      tokens += batch.length * batch[0]!.length;
      const shared = new Map<Float32Array, Float64Array>();
      for (const [name, sq] of await model.inputSquareSums(batch)) {
        let acc = sums.get(name);
        if (acc === undefined) sums.set(name, (acc = shared.get(sq) ?? new Float64Array(sq.length)));
        if (!shared.has(sq)) {
          shared.set(sq, acc);
          for (let j = 0; j < sq.length; j++) acc[j]! += sq[j]!;
        }
      }
    }
  }
  const scores: ImportanceMap['scores'] = new Map();
  for (const [name, sq] of sums) {
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
