/**
 * The model families, each declared once: the `model_type` values it answers to, the config.json fields only it
 * reads (zod, with HF's defaults), and what its config makes of the decoder block — the layout of the norms, the
 * q/k norms, fused projections, the activation, RoPE's share of a head, the attention scale and soft-caps, and
 * which layers see a sliding window. ./config.ts parses the fields every family shares and hands the rest to the
 * family; the model (../model/layers.ts) reads only the normalised {@link FamilyParts}. The tensor names come from
 * ./names.ts. Adding a family: docs/families.md.
 *
 * `satisfies Record<FamilyName, FamilyDeclaration>` keeps the registry complete: a family named in
 * {@link FAMILY_NAMES} without a declaration does not compile.
 */
import { z } from 'zod';
import type { LayerNormName } from './names.js';

/** How a decoder layer places its norms. */
export type NormLayout =
  /** LLaMA: h += attn(input_layernorm(h)); h += mlp(post_attention_layernorm(h)). */
  | 'pre'
  /** Gemma-2/3: h += post_attention_layernorm(attn(input_layernorm(h))); h += post_feedforward_layernorm(mlp(pre_feedforward_layernorm(h))). */
  | 'sandwich'
  /** OLMo-2: h += post_attention_layernorm(attn(h)); h += post_feedforward_layernorm(mlp(h)). */
  | 'post';

/** The norms of a decoder layer, in the order they apply, by layout. */
export const LAYOUT_NORMS: Record<NormLayout, readonly LayerNormName[]> = {
  pre: ['input_layernorm', 'post_attention_layernorm'],
  sandwich: ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm'],
  post: ['post_attention_layernorm', 'post_feedforward_layernorm'],
};

/** The shape of a family's decoder block. */
export interface BlockLayout {
  norms: NormLayout;
  /**
   * RMSNorm's scale is w (0) or (1 + w) (1: Gemma, whose stored norm weights are offsets from 1). Every norm of the
   * model, q/k norms included.
   */
  normOffset: 0 | 1;
  /** RMSNorm on queries and keys before RoPE: none; per head over head_dim (Qwen3, Gemma-3); over the whole projection (OLMo-2). */
  qkNorm: 'none' | 'head' | 'projection';
  /** q/k/v in one `qkv_proj` and gate/up in one `gate_up_proj` (Phi-3), in that order inside each. */
  fused: boolean;
  /** The MLP's gate activation: SiLU (SwiGLU), or GeLU's tanh approximation (GeGLU, `gelu_pytorch_tanh`). */
  activation: 'silu' | 'gelu_tanh';
}

/** What a family's config makes of the model, beyond the fields every family shares. */
export interface FamilyParts {
  block: BlockLayout;
  /** Leading dims of each head that RoPE rotates (head_dim, or head_dim × partial_rotary_factor for Phi-3). */
  rotaryDim: number;
  /** The embedding output is multiplied by this (Gemma: √hidden_size in float32), or not at all. */
  embedScale: number | null;
  /** Attention scores are q·k × this (head_dim^-½; Gemma: query_pre_attn_scalar^-½). */
  attnScale: number;
  /** Scores → cap·tanh(scores / cap) before the mask (Gemma-2's attn_logit_softcapping), or null. */
  attnSoftcap: number | null;
  /** Logits → cap·tanh(logits / cap) (Gemma-2's final_logit_softcapping), or null. */
  finalSoftcap: number | null;
  /** Per layer: the sliding window it attends within (query i sees key j when 0 ≤ i − j < window), or null for full causal attention. */
  layerWindows: (number | null)[];
  /** RoPE base of the sliding layers when it differs from the global one (Gemma-3's rope_local_base_freq, with no scaling), else null. */
  localRopeTheta: number | null;
  /** q/k/v projections carry a bias. */
  qkvBias: boolean;
  /** o_proj carries a bias. */
  oBias: boolean;
  /** gate/up/down projections carry a bias. */
  mlpBias: boolean;
}

/** The fields every family shares, as ./config.ts parsed them (HF names), plus the raw object for the family's own. */
export interface SharedFields {
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  head_dim: number;
  attention_bias: boolean;
  mlp_bias: boolean;
  hidden_act: string;
}

/** A field the family refuses, with why: a `CheckpointError` is made of it by ./config.ts. */
export class FamilyFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** One family. */
export interface FamilyDeclaration<S extends z.ZodRawShape = z.ZodRawShape> {
  /** config.json's `model_type` values it answers to. */
  modelTypes: readonly string[];
  /** `architectures[0]` of a config.json it writes (generated checkpoints). */
  architecture: string;
  /** The HF code its semantics come from (transformers, src/transformers/models/…). */
  source: string;
  /** config.json defaults of shared fields where this family's config class differs from LLaMA's. */
  defaults: Record<string, unknown>;
  /** Its own config.json fields, with HF's defaults. */
  fields: S;
  /** What its config makes of the block. @throws FamilyFieldError for a value it does not support. */
  parts: (shared: SharedFields, own: z.output<z.ZodObject<S>>) => FamilyParts;
}

/** Declares a family (an identity that types its `parts` by its own fields). */
const family = <S extends z.ZodRawShape>(d: FamilyDeclaration<S>): FamilyDeclaration<S> => d;

export const FAMILY_NAMES = ['llama', 'mistral', 'qwen2', 'qwen3', 'gemma2', 'gemma3', 'phi3', 'olmo2'] as const;
export type FamilyName = (typeof FAMILY_NAMES)[number];

const LLAMA_BLOCK: BlockLayout = { norms: 'pre', normOffset: 0, qkNorm: 'none', fused: false, activation: 'silu' };

const layerTypesField = z.array(z.enum(['sliding_attention', 'full_attention'])).nullish();

/**
 * Per-layer windows from HF's `layer_types` when config.json has it (checked against num_hidden_layers), else from
 * the family's rule `sliding(i)`.
 */
function windowsOf(
  layers: number,
  window: number | null | undefined,
  layerTypes: readonly ('sliding_attention' | 'full_attention')[] | null | undefined,
  sliding: (i: number) => boolean,
): (number | null)[] {
  if (layerTypes != null && layerTypes.length !== layers) {
    throw new FamilyFieldError('layer_types', `layer_types has ${layerTypes.length} entries for num_hidden_layers ${layers}`);
  }
  const isSliding = (i: number) => (layerTypes != null ? layerTypes[i] === 'sliding_attention' : sliding(i));
  if (window == null) {
    if (layerTypes?.includes('sliding_attention')) throw new FamilyFieldError('sliding_window', 'layer_types names sliding layers but sliding_window is not set');
    return new Array<null>(layers).fill(null);
  }
  return Array.from({ length: layers }, (_, i) => (isSliding(i) ? window : null));
}

/** The activation names HF's ACT2FN maps to each function we implement. */
function activationOf(name: string, field: string): 'silu' | 'gelu_tanh' {
  if (name === 'silu' || name === 'swish') return 'silu';
  if (name === 'gelu_pytorch_tanh' || name === 'gelu_new' || name === 'gelu_fast') {
    // gelu_new and gelu_fast are the same tanh approximation in HF (NewGELUActivation, FastGELUActivation up to rounding).
    return 'gelu_tanh';
  }
  throw new FamilyFieldError(field, `activation "${name}" is not supported (supported: "silu", "gelu_pytorch_tanh")`);
}

const llamaLike = (shared: SharedFields, slidingWindows: (number | null)[], qkvBias = shared.attention_bias, oBias = shared.attention_bias): FamilyParts => ({
  block: { ...LLAMA_BLOCK, activation: activationOf(shared.hidden_act, 'hidden_act') },
  rotaryDim: shared.head_dim,
  embedScale: null,
  attnScale: 1 / Math.sqrt(shared.head_dim),
  attnSoftcap: null,
  finalSoftcap: null,
  layerWindows: slidingWindows,
  localRopeTheta: null,
  qkvBias,
  oBias,
  mlpBias: shared.mlp_bias,
});

/** Qwen2/Qwen3: a window only with use_sliding_window, and then on layers ≥ max_window_layers (HF's layer_types default). */
const qwenFields = {
  sliding_window: z.number().int().positive().nullish(),
  use_sliding_window: z.boolean().default(false),
  max_window_layers: z.number().int().nonnegative().default(28),
  layer_types: layerTypesField,
};
const qwenWindows = (shared: SharedFields, own: { sliding_window?: number | null; use_sliding_window: boolean; max_window_layers: number; layer_types?: ('sliding_attention' | 'full_attention')[] | null }) =>
  windowsOf(shared.num_hidden_layers, own.use_sliding_window ? own.sliding_window : null, own.use_sliding_window ? own.layer_types : null, (i) => i >= own.max_window_layers);

/** Gemma-2/3: GeGLU, (1 + w) norms, the sandwich of four norms, √d embedding scale, query_pre_attn_scalar. */
const gemmaFields = {
  hidden_activation: z.string().nullish(),
  query_pre_attn_scalar: z.number().positive().default(256),
  sliding_window: z.number().int().positive().nullish(),
  layer_types: layerTypesField,
};

export const FAMILIES = {
  llama: family({
    modelTypes: ['llama'],
    architecture: 'LlamaForCausalLM',
    source: 'llama/modeling_llama.py',
    defaults: {},
    fields: {},
    parts: (shared) => llamaLike(shared, new Array<null>(shared.num_hidden_layers).fill(null)),
  }),
  mistral: family({
    modelTypes: ['mistral'],
    architecture: 'MistralForCausalLM',
    source: 'mistral/modeling_mistral.py',
    defaults: {},
    fields: { sliding_window: z.number().int().positive().nullish() },
    // HF's Mistral has no biases (its config has no attention_bias or mlp_bias).
    parts: (shared, own) => ({ ...llamaLike(shared, windowsOf(shared.num_hidden_layers, own.sliding_window, null, () => true), false, false), mlpBias: false }),
  }),
  qwen2: family({
    modelTypes: ['qwen2'],
    architecture: 'Qwen2ForCausalLM',
    source: 'qwen2/modeling_qwen2.py',
    defaults: {},
    fields: qwenFields,
    // Qwen2's q/k/v always carry a bias, o_proj never.
    parts: (shared, own) => ({ ...llamaLike(shared, qwenWindows(shared, own), true, false), mlpBias: false }),
  }),
  qwen3: family({
    modelTypes: ['qwen3'],
    architecture: 'Qwen3ForCausalLM',
    source: 'qwen3/modeling_qwen3.py',
    defaults: { head_dim: 128 },
    fields: qwenFields,
    parts: (shared, own) => {
      const base = llamaLike(shared, qwenWindows(shared, own));
      return { ...base, block: { ...base.block, qkNorm: 'head' }, mlpBias: false };
    },
  }),
  gemma2: family({
    modelTypes: ['gemma2'],
    architecture: 'Gemma2ForCausalLM',
    source: 'gemma2/modeling_gemma2.py',
    defaults: { head_dim: 256, rms_norm_eps: 1e-6, tie_word_embeddings: true, hidden_act: 'gelu_pytorch_tanh', bos_token_id: 2, eos_token_id: 1 },
    fields: {
      ...gemmaFields,
      sliding_window: z.number().int().positive().nullish().default(4096),
      attn_logit_softcapping: z.number().positive().nullish().default(50),
      final_logit_softcapping: z.number().positive().nullish().default(30),
    },
    // Sliding on even layers: HF's default layer_types, "sliding_attention" if (i + 1) % 2 else "full_attention".
    parts: (shared, own) => gemmaParts(shared, own, windowsOf(shared.num_hidden_layers, own.sliding_window, own.layer_types, (i) => (i + 1) % 2 !== 0), 'none', null),
  }),
  gemma3: family({
    modelTypes: ['gemma3_text'],
    architecture: 'Gemma3ForCausalLM',
    source: 'gemma3/modeling_gemma3.py',
    defaults: { head_dim: 256, rms_norm_eps: 1e-6, rope_theta: 1_000_000, tie_word_embeddings: true, hidden_act: 'gelu_pytorch_tanh', bos_token_id: 2, eos_token_id: 1 },
    fields: {
      ...gemmaFields,
      sliding_window: z.number().int().positive().nullish().default(4096),
      sliding_window_pattern: z.number().int().positive().default(6),
      rope_local_base_freq: z.number().positive().default(10_000),
      attn_logit_softcapping: z.number().positive().nullish(),
      final_logit_softcapping: z.number().positive().nullish(),
    },
    // Every sliding_window_pattern-th layer is global: "sliding_attention" if (i + 1) % pattern else "full_attention".
    parts: (shared, own) =>
      // HF's Gemma-3 attention never applies attn_logit_softcapping, whatever the config says.
      gemmaParts(shared, { ...own, attn_logit_softcapping: null }, windowsOf(shared.num_hidden_layers, own.sliding_window, own.layer_types, (i) => (i + 1) % own.sliding_window_pattern !== 0), 'head', own.rope_local_base_freq),
  }),
  phi3: family({
    modelTypes: ['phi3'],
    architecture: 'Phi3ForCausalLM',
    source: 'phi3/modeling_phi3.py',
    defaults: { rms_norm_eps: 1e-5, bos_token_id: 1, eos_token_id: 32000 },
    fields: {
      sliding_window: z.number().int().positive().nullish(),
      partial_rotary_factor: z.number().gt(0).lte(1).default(1),
    },
    parts: (shared, own) => {
      const rotaryDim = Math.trunc(shared.head_dim * own.partial_rotary_factor);
      if (rotaryDim % 2 !== 0) throw new FamilyFieldError('partial_rotary_factor', `head_dim ${shared.head_dim} × partial_rotary_factor ${own.partial_rotary_factor} = ${rotaryDim} rotary dims, which must be even`);
      const base = llamaLike(shared, windowsOf(shared.num_hidden_layers, own.sliding_window, null, () => true), false, false);
      return { ...base, block: { ...base.block, fused: true }, rotaryDim, mlpBias: false };
    },
  }),
  olmo2: family({
    modelTypes: ['olmo2'],
    architecture: 'Olmo2ForCausalLM',
    source: 'olmo2/modeling_olmo2.py',
    defaults: { rms_norm_eps: 1e-5, eos_token_id: 50279 },
    fields: {},
    parts: (shared) => {
      const base = llamaLike(shared, new Array<null>(shared.num_hidden_layers).fill(null));
      return { ...base, block: { ...base.block, norms: 'post', qkNorm: 'projection' }, mlpBias: false };
    },
  }),
} satisfies { [F in FamilyName]: FamilyDeclaration<any> };

function gemmaParts(
  shared: SharedFields,
  own: { hidden_activation?: string | null; query_pre_attn_scalar: number; attn_logit_softcapping?: number | null; final_logit_softcapping?: number | null },
  layerWindows: (number | null)[],
  qkNorm: BlockLayout['qkNorm'],
  localRopeTheta: number | null,
): FamilyParts {
  // Gemma's configs name the MLP's activation hidden_activation (hidden_act is the legacy name, used when it is absent).
  const activation = own.hidden_activation != null ? activationOf(own.hidden_activation, 'hidden_activation') : activationOf(shared.hidden_act, 'hidden_act');
  return {
    block: { norms: 'sandwich', normOffset: 1, qkNorm, fused: false, activation },
    rotaryDim: shared.head_dim,
    // HF: hidden_states * torch.tensor(hidden_size ** 0.5, dtype=hidden_states.dtype): √d rounded to float32.
    embedScale: Math.fround(Math.sqrt(shared.hidden_size)),
    attnScale: own.query_pre_attn_scalar ** -0.5,
    attnSoftcap: own.attn_logit_softcapping ?? null,
    finalSoftcap: own.final_logit_softcapping ?? null,
    layerWindows,
    localRopeTheta,
    qkvBias: shared.attention_bias,
    oBias: shared.attention_bias,
    mlpBias: false,
  };
}

/** The family a model_type belongs to, or undefined. */
export function familyOf(modelType: string): FamilyName | undefined {
  return FAMILY_NAMES.find((f) => (FAMILIES[f].modelTypes as readonly string[]).includes(modelType));
}

/** Every model_type some family answers to, for error messages. */
export const MODEL_TYPES: readonly string[] = FAMILY_NAMES.flatMap((f) => FAMILIES[f].modelTypes);

/** model_types refused with a hint instead of "unknown". */
export const REFUSED_MODEL_TYPES: Record<string, string> = {
  gemma3: 'the multimodal Gemma-3 (Gemma3ForConditionalGeneration) is not supported; a text-only checkpoint (Gemma3ForCausalLM, e.g. gemma-3-1b) has model_type "gemma3_text"',
  gemma: 'Gemma-1 is not supported (Gemma-2: "gemma2", Gemma-3 text: "gemma3_text")',
  olmo: 'OLMo-1 is not supported (OLMo-2: "olmo2")',
};
