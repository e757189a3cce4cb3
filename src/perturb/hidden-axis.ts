import { LAYER_NORM_NAMES, layerWeight, parseWeightName, type LayerNormName, type LayerPart } from '../checkpoint/names.js';

/**
 * Where the hidden dimension (a coordinate of the residual stream, size d = hidden_size) sits in each HF
 * weight. HF Linear weights are [out, in]:
 * - matrices that READ the residual stream (q/k/v/gate/up_proj: [·, d]) hold hidden dim j in COLUMN j;
 * - matrices that WRITE to it (o_proj/down_proj: [d, ·]) hold hidden dim j in ROW j;
 * - RMSNorm weights ([d]) hold it at entry j.
 */

/** Layer matrices that read the residual stream (hidden dim = column); Phi-3's fused qkv_proj and gate_up_proj among them. */
export const RESIDUAL_READERS = ['q_proj', 'k_proj', 'v_proj', 'gate_proj', 'up_proj', 'qkv_proj', 'gate_up_proj'] as const satisfies readonly LayerPart[];
/** Layer matrices that write to the residual stream (hidden dim = row). */
export const RESIDUAL_WRITERS = ['o_proj', 'down_proj'] as const satisfies readonly LayerPart[];
/** The weight matrices a decoder layer may have, by their short HF names (which ones, the family says). */
export const LAYER_MATRICES = [...RESIDUAL_READERS, ...RESIDUAL_WRITERS] as const;
/** The RMSNorm weights a decoder layer may have, on the hidden axis (which ones, the family's layout says). */
export const LAYER_NORMS = LAYER_NORM_NAMES;

export type LayerMatrix = (typeof LAYER_MATRICES)[number];
export type LayerNorm = LayerNormName;

/** How a weight touches the residual stream, and along which axis its hidden dimension runs. */
export interface HiddenAxis {
  /** 0: hidden dim j is row j (or entry j of a vector); 1: hidden dim j is column j. */
  axis: 0 | 1;
  role: 'reads' | 'writes' | 'norm';
  /** The decoder layer, or null for the embedding, the final norm and the LM head. */
  layer: number | null;
}

/** HF name of a decoder-layer matrix: `model.layers.{layer}.self_attn.q_proj.weight`, `….mlp.down_proj.weight`. */
export const matrixName = (layer: number, matrix: LayerMatrix): string => layerWeight(layer, matrix);

/** HF name of a decoder-layer norm weight: `model.layers.{layer}.input_layernorm.weight`. */
export const normName = (layer: number, norm: LayerNorm): string => layerWeight(layer, norm);

/**
 * The hidden axis of an HF weight, or null for weights without one (q/k/v biases, gate/up biases, q/k norms).
 * Besides the layer matrices and norms: `model.embed_tokens.weight` [vocab, d] writes along columns,
 * `lm_head.weight` [vocab, d] reads along columns, `model.norm.weight` [d] is a norm, and the o_proj /
 * down_proj biases [d] write at entry j.
 */
export function hiddenAxis(name: string): HiddenAxis | null {
  const p = parseWeightName(name);
  if (p === null) return null;
  const { layer, part } = p;
  if (layer === null) {
    if (part === 'embed_tokens') return { axis: 1, role: 'writes', layer: null };
    if (part === 'lm_head') return { axis: 1, role: 'reads', layer: null };
    return { axis: 0, role: 'norm', layer: null };
  }
  if (p.block === 'norm') return { axis: 0, role: 'norm', layer };
  const isWriter = (RESIDUAL_WRITERS as readonly string[]).includes(part);
  if (p.kind === 'bias') return isWriter ? { axis: 0, role: 'writes', layer } : null;
  if (isWriter) return { axis: 0, role: 'writes', layer };
  if ((RESIDUAL_READERS as readonly string[]).includes(part)) return { axis: 1, role: 'reads', layer };
  return null;
}
