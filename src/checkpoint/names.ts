/**
 * HF weight names, spelled once: builders for every tensor a decoder checkpoint of the supported families
 * holds, and the parser that reads a name back into (layer, block, part). Everything else — the model, the
 * regions, the perturbations, the detectors, the report — names weights through this module.
 *
 *     model.embed_tokens.weight                      the embedding [vocab, d]
 *     model.layers.{i}.self_attn.{q,k,v,o}_proj.*    attention (phi3: one fused qkv_proj)
 *     model.layers.{i}.self_attn.{q,k}_norm.weight   qwen3, gemma3 (per head), olmo2 (over the projection)
 *     model.layers.{i}.mlp.{gate,up,down}_proj.*     the MLP (phi3: one fused gate_up_proj)
 *     model.layers.{i}.<norm>.weight                 the block's norms (see {@link LAYER_NORM_NAMES})
 *     model.norm.weight, lm_head.weight              the final norm and the LM head (absent when tied)
 */

export const EMBED = 'model.embed_tokens.weight';
export const FINAL_NORM = 'model.norm.weight';
export const LM_HEAD = 'lm_head.weight';

/** The attention's parts, by their HF name inside `self_attn`. */
export const ATTENTION_PARTS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'qkv_proj', 'q_norm', 'k_norm'] as const;
export type AttentionPart = (typeof ATTENTION_PARTS)[number];
/** The MLP's parts, by their HF name inside `mlp`. */
export const MLP_PARTS = ['gate_proj', 'up_proj', 'down_proj', 'gate_up_proj'] as const;
export type MlpPart = (typeof MLP_PARTS)[number];
/** The norms a decoder layer may hold (which ones, and where they apply, is the family's block layout). */
export const LAYER_NORM_NAMES = ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm'] as const;
export type LayerNormName = (typeof LAYER_NORM_NAMES)[number];

/** A linear layer or a norm of decoder layer `layer`, by its short name. */
export type LayerPart = AttentionPart | MlpPart | LayerNormName;

const isAttention = (p: string): p is AttentionPart => (ATTENTION_PARTS as readonly string[]).includes(p);
const isMlp = (p: string): p is MlpPart => (MLP_PARTS as readonly string[]).includes(p);

/** `model.layers.{layer}` */
export const layerPrefix = (layer: number) => `model.layers.${layer}`;

/** The HF name of a part of decoder layer `layer`: `model.layers.3.self_attn.q_proj.weight`, `model.layers.3.input_layernorm.weight`. */
export function layerWeight(layer: number, part: LayerPart, kind: 'weight' | 'bias' = 'weight'): string {
  const block = isAttention(part) ? 'self_attn.' : isMlp(part) ? 'mlp.' : '';
  return `${layerPrefix(layer)}.${block}${part}.${kind}`;
}

/** A linear layer's prefix (without `.weight`/`.bias`), as HF's `nn.Linear` module path. */
export function linearPrefix(layer: number, part: AttentionPart | MlpPart): string {
  return layerWeight(layer, part).slice(0, -'.weight'.length);
}

/** What a weight name says. */
export interface ParsedName {
  /** The decoder layer, or null for the embedding, final norm and LM head. */
  layer: number | null;
  /** The short name: q_proj, down_proj, input_layernorm, …; or `embed_tokens`, `norm`, `lm_head` at the top. */
  part: string;
  kind: 'weight' | 'bias';
  /** attention, mlp, a layer norm, or a top-level tensor. */
  block: 'self_attn' | 'mlp' | 'norm' | 'top';
}

const LAYER = /^model\.layers\.(\d+)\.(?:(self_attn|mlp)\.)?(\w+)\.(weight|bias)$/;

/** Reads a weight name back, or null for a name no supported family uses. */
export function parseWeightName(name: string): ParsedName | null {
  if (name === EMBED) return { layer: null, part: 'embed_tokens', kind: 'weight', block: 'top' };
  if (name === FINAL_NORM) return { layer: null, part: 'norm', kind: 'weight', block: 'top' };
  if (name === LM_HEAD) return { layer: null, part: 'lm_head', kind: 'weight', block: 'top' };
  const m = LAYER.exec(name);
  if (m === null) return null;
  const [, layer, block, part, kind] = m as unknown as [string, string, string | undefined, string, 'weight' | 'bias'];
  if (block === 'self_attn' ? !isAttention(part) : block === 'mlp' ? !isMlp(part) : !(LAYER_NORM_NAMES as readonly string[]).includes(part)) return null;
  return { layer: Number(layer), part, kind, block: block === undefined ? 'norm' : (block as 'self_attn' | 'mlp') };
}

/** The decoder layer a weight belongs to, or null (embedding, final norm, LM head, or not a weight name). */
export function layerOf(name: string): number | null {
  return parseWeightName(name)?.layer ?? null;
}

/** An RMSNorm weight: a layer's norms, q/k norms, or the final norm. */
export function isNormWeight(name: string): boolean {
  const p = parseWeightName(name);
  return p !== null && p.kind === 'weight' && (p.part === 'norm' || p.part.endsWith('_norm') || p.part.endsWith('layernorm'));
}

/** A name with its layer folded: `model.layers.*.mlp.down_proj.weight` (counting per kind of tensor). */
export function foldLayer(name: string): string {
  return name.replace(/^model\.layers\.\d+\./, 'model.layers.*.');
}
