/**
 * Where the hidden dimension (a coordinate of the residual stream, size d = hidden_size) sits in each HF
 * weight. HF Linear weights are [out, in]:
 * - matrices that READ the residual stream (q/k/v/gate/up_proj: [·, d]) hold hidden dim j in COLUMN j;
 * - matrices that WRITE to it (o_proj/down_proj: [d, ·]) hold hidden dim j in ROW j;
 * - RMSNorm weights ([d]) hold it at entry j.
 */

/** Layer matrices that read the residual stream (hidden dim = column). */
export const RESIDUAL_READERS = ['q_proj', 'k_proj', 'v_proj', 'gate_proj', 'up_proj'] as const;
/** Layer matrices that write to the residual stream (hidden dim = row). */
export const RESIDUAL_WRITERS = ['o_proj', 'down_proj'] as const;
/** The seven weight matrices of a decoder layer, by their short HF names. */
export const LAYER_MATRICES = [...RESIDUAL_READERS, ...RESIDUAL_WRITERS] as const;
/** The two RMSNorm weights of a decoder layer. */
export const LAYER_NORMS = ['input_layernorm', 'post_attention_layernorm'] as const;

export type LayerMatrix = (typeof LAYER_MATRICES)[number];
export type LayerNorm = (typeof LAYER_NORMS)[number];

/** How a weight touches the residual stream, and along which axis its hidden dimension runs. */
export interface HiddenAxis {
  /** 0: hidden dim j is row j (or entry j of a vector); 1: hidden dim j is column j. */
  axis: 0 | 1;
  role: 'reads' | 'writes' | 'norm';
  /** The decoder layer, or null for the embedding, the final norm and the LM head. */
  layer: number | null;
}

/** HF name of a decoder-layer matrix: `model.layers.{layer}.self_attn.q_proj.weight`, `….mlp.down_proj.weight`. */
export function matrixName(layer: number, matrix: LayerMatrix): string {
  const block = matrix === 'gate_proj' || matrix === 'up_proj' || matrix === 'down_proj' ? 'mlp' : 'self_attn';
  return `model.layers.${layer}.${block}.${matrix}.weight`;
}

/** HF name of a decoder-layer norm weight: `model.layers.{layer}.input_layernorm.weight`. */
export function normName(layer: number, norm: LayerNorm): string {
  return `model.layers.${layer}.${norm}.weight`;
}

const LAYER_WEIGHT = /^model\.layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)\.(weight|bias)$/;
const LAYER_NORM = /^model\.layers\.(\d+)\.(input_layernorm|post_attention_layernorm)\.weight$/;

/**
 * The hidden axis of an HF weight, or null for weights without one (q/k/v biases, gate/up biases).
 * Besides the layer matrices and norms: `model.embed_tokens.weight` [vocab, d] writes along columns,
 * `lm_head.weight` [vocab, d] reads along columns, `model.norm.weight` [d] is a norm, and the o_proj /
 * down_proj biases [d] write at entry j.
 */
export function hiddenAxis(name: string): HiddenAxis | null {
  const norm = LAYER_NORM.exec(name);
  if (norm !== null) return { axis: 0, role: 'norm', layer: Number(norm[1]) };
  const m = LAYER_WEIGHT.exec(name);
  if (m !== null) {
    const layer = Number(m[1]);
    const matrix = m[2]!;
    const isWriter = (RESIDUAL_WRITERS as readonly string[]).includes(matrix);
    if (m[3] === 'bias') return isWriter ? { axis: 0, role: 'writes', layer } : null;
    if (isWriter) return { axis: 0, role: 'writes', layer };
    if ((RESIDUAL_READERS as readonly string[]).includes(matrix)) return { axis: 1, role: 'reads', layer };
    return null;
  }
  if (name === 'model.embed_tokens.weight') return { axis: 1, role: 'writes', layer: null };
  if (name === 'lm_head.weight') return { axis: 1, role: 'reads', layer: null };
  if (name === 'model.norm.weight') return { axis: 0, role: 'norm', layer: null };
  return null;
}
