import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CheckpointError } from './errors.js';
import { firstIssue } from '../util/zod-issue.js';

/**
 * config.json of a HuggingFace LLaMA-family checkpoint (model types llama, mistral, qwen2), validated
 * at the boundary. Only the fields the forward pass reads are interpreted; the rest is kept as is.
 */
const ropeScalingSchema = z
  .object({
    rope_type: z.string().optional(),
    type: z.string().optional(),
    factor: z.number().positive().optional(),
    low_freq_factor: z.number().positive().optional(),
    high_freq_factor: z.number().positive().optional(),
    original_max_position_embeddings: z.number().int().positive().optional(),
  })
  .passthrough();

const rawConfigSchema = z
  .object({
    model_type: z.enum(['llama', 'mistral', 'qwen2'], {
      error: 'model_type must be one of "llama", "mistral", "qwen2"',
    }),
    vocab_size: z.number().int().positive(),
    hidden_size: z.number().int().positive(),
    intermediate_size: z.number().int().positive(),
    num_hidden_layers: z.number().int().positive(),
    num_attention_heads: z.number().int().positive(),
    num_key_value_heads: z.number().int().positive().optional(),
    head_dim: z.number().int().positive().nullish(),
    rms_norm_eps: z.number().positive().default(1e-6),
    rope_theta: z.number().positive().default(10000),
    rope_scaling: ropeScalingSchema.nullish(),
    max_position_embeddings: z.number().int().positive().default(2048),
    tie_word_embeddings: z.boolean().optional(),
    attention_bias: z.boolean().default(false),
    mlp_bias: z.boolean().default(false),
    sliding_window: z.number().int().positive().nullish(),
    use_sliding_window: z.boolean().optional(),
    hidden_act: z.string().default('silu'),
    bos_token_id: z.number().int().nonnegative().nullish(),
    eos_token_id: z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative())]).nullish(),
    torch_dtype: z.string().nullish(),
  })
  .passthrough();

/** config.json fields as HF writes them (before validation and defaults). */
export type RawModelConfig = z.input<typeof rawConfigSchema>;

/** RoPE frequency scaling, as HF's `rope_scaling`; `none` when the config has none. */
export type RopeScaling =
  | { kind: 'none' }
  | { kind: 'linear'; factor: number }
  | {
      kind: 'llama3';
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalMaxPositionEmbeddings: number;
    };

/** The validated, normalised architecture of a LLaMA-family model. */
export interface ModelConfig {
  modelType: 'llama' | 'mistral' | 'qwen2';
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry a bias (qwen2 always; llama with attention_bias). */
  qkvBias: boolean;
  /** o_proj carries a bias (llama with attention_bias). */
  oBias: boolean;
  /** gate/up/down projections carry a bias (llama with mlp_bias). */
  mlpBias: boolean;
  /** Attention sees at most this many previous positions (mistral; qwen2 with use_sliding_window). */
  slidingWindow: number | null;
  bosTokenId: number | null;
  eosTokenId: number | null;
  /** The config.json object as read, for provenance. */
  raw: Record<string, unknown>;
}

function fail(file: string, field: string, message: string): never {
  throw new CheckpointError(file, message, field);
}

/**
 * Validates a parsed config.json and normalises it. `file` is only used in error messages.
 * @throws CheckpointError naming the field and what was expected.
 */
export function parseModelConfig(json: unknown, file = 'config.json'): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CheckpointError(file, 'expected a JSON object');
  }
  const parsed = rawConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error, json);
    const field = issue.field || '(root)';
    const received = (json as Record<string, unknown>)[String(issue.top)];
    fail(file, field, `${issue.message}${received === undefined ? ' (missing)' : ` (got ${JSON.stringify(received)})`}`);
  }
  const c = parsed.data;
  const numKvHeads = c.num_key_value_heads ?? c.num_attention_heads;
  if (c.head_dim == null && c.hidden_size % c.num_attention_heads !== 0) {
    fail(
      file,
      'hidden_size',
      `hidden_size ${c.hidden_size} is not divisible by num_attention_heads ${c.num_attention_heads} (and no head_dim is given)`,
    );
  }
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  if (headDim % 2 !== 0) fail(file, 'head_dim', `head_dim ${headDim} must be even for rotary embeddings`);
  if (c.num_attention_heads % numKvHeads !== 0) {
    fail(
      file,
      'num_key_value_heads',
      `num_key_value_heads ${numKvHeads} does not divide num_attention_heads ${c.num_attention_heads}`,
    );
  }
  if (c.hidden_act !== 'silu') fail(file, 'hidden_act', `only "silu" is supported (got "${c.hidden_act}")`);

  let ropeScaling: RopeScaling = { kind: 'none' };
  if (c.rope_scaling != null) {
    const kind = c.rope_scaling.rope_type ?? c.rope_scaling.type;
    const factor = c.rope_scaling.factor;
    if (kind === 'default') {
      ropeScaling = { kind: 'none' };
    } else if (kind === 'linear') {
      if (factor === undefined) fail(file, 'rope_scaling.factor', 'linear rope_scaling needs a positive factor');
      ropeScaling = { kind: 'linear', factor };
    } else if (kind === 'llama3') {
      const r = c.rope_scaling;
      if (
        factor === undefined ||
        r.low_freq_factor === undefined ||
        r.high_freq_factor === undefined ||
        r.original_max_position_embeddings === undefined
      ) {
        fail(
          file,
          'rope_scaling',
          'llama3 rope_scaling needs factor, low_freq_factor, high_freq_factor and original_max_position_embeddings',
        );
      }
      ropeScaling = {
        kind: 'llama3',
        factor,
        lowFreqFactor: r.low_freq_factor,
        highFreqFactor: r.high_freq_factor,
        originalMaxPositionEmbeddings: r.original_max_position_embeddings,
      };
    } else {
      fail(
        file,
        'rope_scaling.rope_type',
        `rope scaling of kind ${JSON.stringify(kind)} is not supported (supported: "linear", "llama3")`,
      );
    }
  }

  const isQwen = c.model_type === 'qwen2';
  const slidingWindow =
    c.model_type === 'mistral'
      ? (c.sliding_window ?? null)
      : isQwen && c.use_sliding_window === true
        ? (c.sliding_window ?? null)
        : null;
  const eos = Array.isArray(c.eos_token_id) ? (c.eos_token_id[0] ?? null) : (c.eos_token_id ?? null);
  return {
    modelType: c.model_type,
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    numKvHeads,
    headDim,
    rmsNormEps: c.rms_norm_eps,
    ropeTheta: c.rope_theta,
    ropeScaling,
    maxPositionEmbeddings: c.max_position_embeddings,
    // HF's PretrainedConfig defaults tie_word_embeddings to true; LlamaConfig and MistralConfig to false.
    tieWordEmbeddings: c.tie_word_embeddings ?? false,
    qkvBias: isQwen || c.attention_bias,
    oBias: !isQwen && c.attention_bias,
    mlpBias: !isQwen && c.mlp_bias,
    slidingWindow,
    bosTokenId: c.bos_token_id ?? null,
    eosTokenId: eos,
    raw: json as Record<string, unknown>,
  };
}

/** Reads and validates `<dir>/config.json`. */
export function readModelConfig(file: string): ModelConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CheckpointError(file, code === 'ENOENT' ? 'config.json is missing' : `cannot read (${code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(file, `not valid JSON (${(err as Error).message})`);
  }
  return parseModelConfig(json, file);
}

/** The shape every weight of the model must have, by HF name. Used to check a checkpoint is complete. */
export function expectedWeightShapes(config: ModelConfig): Map<string, number[]> {
  const { hiddenSize: d, intermediateSize: f, vocabSize: v, numHeads, numKvHeads, headDim } = config;
  const shapes = new Map<string, number[]>();
  shapes.set('model.embed_tokens.weight', [v, d]);
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`;
    shapes.set(`${p}.input_layernorm.weight`, [d]);
    shapes.set(`${p}.self_attn.q_proj.weight`, [numHeads * headDim, d]);
    shapes.set(`${p}.self_attn.k_proj.weight`, [numKvHeads * headDim, d]);
    shapes.set(`${p}.self_attn.v_proj.weight`, [numKvHeads * headDim, d]);
    shapes.set(`${p}.self_attn.o_proj.weight`, [d, numHeads * headDim]);
    if (config.qkvBias) {
      shapes.set(`${p}.self_attn.q_proj.bias`, [numHeads * headDim]);
      shapes.set(`${p}.self_attn.k_proj.bias`, [numKvHeads * headDim]);
      shapes.set(`${p}.self_attn.v_proj.bias`, [numKvHeads * headDim]);
    }
    if (config.oBias) shapes.set(`${p}.self_attn.o_proj.bias`, [d]);
    shapes.set(`${p}.post_attention_layernorm.weight`, [d]);
    shapes.set(`${p}.mlp.gate_proj.weight`, [f, d]);
    shapes.set(`${p}.mlp.up_proj.weight`, [f, d]);
    shapes.set(`${p}.mlp.down_proj.weight`, [d, f]);
    if (config.mlpBias) {
      shapes.set(`${p}.mlp.gate_proj.bias`, [f]);
      shapes.set(`${p}.mlp.up_proj.bias`, [f]);
      shapes.set(`${p}.mlp.down_proj.bias`, [d]);
    }
  }
  shapes.set('model.norm.weight', [d]);
  if (!config.tieWordEmbeddings) shapes.set('lm_head.weight', [v, d]);
  return shapes;
}
