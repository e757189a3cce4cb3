/** Per-parameter importance |θ ⊙ g| for one language (or a sum over languages), by HF weight name. */
export interface ImportanceMap {
  /** Languages whose importance was summed. */
  languages: string[];
  /** Values, same layout as the weight (row-major). */
  scores: Map<string, { shape: number[]; data: Float32Array }>;
  /** How it was computed (checkpoint hash, text hash, tokens, seq len, objective, seed…), for provenance. */
  provenance: Record<string, string>;
}
