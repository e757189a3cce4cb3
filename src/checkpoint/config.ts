import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CheckpointError } from './errors.js';
import { firstIssue } from '../util/zod-issue.js';
import { FAMILIES, FamilyFieldError, familyOf, MODEL_TYPES, REFUSED_MODEL_TYPES, type FamilyName, type FamilyParts, type FamilyDeclaration } from './families.js';
import { EMBED, FINAL_NORM, LM_HEAD, layerWeight } from './names.js';
import { LAYOUT_NORMS } from './families.js';

/**
 * config.json of a HuggingFace decoder checkpoint of a supported family (./families.ts), validated at the
 * boundary: the fields every family shares here, the family's own in its declaration. Only the fields the
 * forward pass reads are interpreted; the rest is kept as is.
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
    model_type: z.string('model_type must be a string'),
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

/** The validated, normalised architecture of a decoder model of a supported family. */
export interface ModelConfig extends FamilyParts {
  /** config.json's model_type. */
  modelType: string;
  /** The family it belongs to (./families.ts). */
  family: FamilyName;
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
  const modelType = (json as Record<string, unknown>).model_type;
  const name = typeof modelType === 'string' ? familyOf(modelType) : undefined;
  if (name === undefined) {
    const hint = typeof modelType === 'string' ? REFUSED_MODEL_TYPES[modelType] : undefined;
    const supported = `model_type must be one of ${MODEL_TYPES.map((t) => `"${t}"`).join(', ')}`;
    fail(file, 'model_type', `${hint ?? supported} (got ${modelType === undefined ? 'nothing' : JSON.stringify(modelType)})`);
  }
  const family = FAMILIES[name] as FamilyDeclaration;
  // The family's config class defaults, under what config.json says.
  const withDefaults = { ...family.defaults, ...(json as Record<string, unknown>) };
  const parse = <S extends z.ZodType>(schema: S): z.output<S> => {
    const parsed = schema.safeParse(withDefaults);
    if (parsed.success) return parsed.data;
    const issue = firstIssue(parsed.error, withDefaults);
    const field = issue.field || '(root)';
    const received = (json as Record<string, unknown>)[String(issue.top)];
    return fail(file, field, `${issue.message}${received === undefined ? ' (missing)' : ` (got ${JSON.stringify(received)})`}`);
  };
  const c = parse(rawConfigSchema);
  const own = parse(z.object(family.fields).passthrough());
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
  let parts: FamilyParts;
  try {
    parts = family.parts({ ...c, head_dim: headDim }, own);
  } catch (err) {
    if (err instanceof FamilyFieldError) fail(file, err.field, err.message);
    throw err;
  }

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

  const eos = Array.isArray(c.eos_token_id) ? (c.eos_token_id[0] ?? null) : (c.eos_token_id ?? null);
  return {
    ...parts,
    modelType: c.model_type,
    family: name,
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
    // HF's PretrainedConfig defaults tie_word_embeddings to true; LlamaConfig and MistralConfig to false (Gemma's
    // declarations say true in their defaults).
    tieWordEmbeddings: c.tie_word_embeddings ?? false,
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

/** The shape every weight of the model must have, by HF name, in the standard order. Used to check a checkpoint is complete. */
export function expectedWeightShapes(config: ModelConfig): Map<string, number[]> {
  const { hiddenSize: d, intermediateSize: f, vocabSize: v, numHeads, numKvHeads, headDim, block } = config;
  const [q, kv] = [numHeads * headDim, numKvHeads * headDim];
  const shapes = new Map<string, number[]>();
  shapes.set(EMBED, [v, d]);
  for (let i = 0; i < config.numLayers; i++) {
    const [firstNorm, ...otherNorms] = LAYOUT_NORMS[block.norms];
    if (block.norms !== 'post') shapes.set(layerWeight(i, firstNorm!), [d]);
    if (block.fused) {
      shapes.set(layerWeight(i, 'qkv_proj'), [q + 2 * kv, d]);
    } else {
      shapes.set(layerWeight(i, 'q_proj'), [q, d]);
      shapes.set(layerWeight(i, 'k_proj'), [kv, d]);
      shapes.set(layerWeight(i, 'v_proj'), [kv, d]);
    }
    shapes.set(layerWeight(i, 'o_proj'), [d, q]);
    if (config.qkvBias) {
      shapes.set(layerWeight(i, 'q_proj', 'bias'), [q]);
      shapes.set(layerWeight(i, 'k_proj', 'bias'), [kv]);
      shapes.set(layerWeight(i, 'v_proj', 'bias'), [kv]);
    }
    if (config.oBias) shapes.set(layerWeight(i, 'o_proj', 'bias'), [d]);
    if (block.qkNorm !== 'none') {
      shapes.set(layerWeight(i, 'q_norm'), [block.qkNorm === 'head' ? headDim : q]);
      shapes.set(layerWeight(i, 'k_norm'), [block.qkNorm === 'head' ? headDim : kv]);
    }
    for (const norm of block.norms === 'post' ? LAYOUT_NORMS.post : otherNorms) shapes.set(layerWeight(i, norm), [d]);
    if (block.fused) {
      shapes.set(layerWeight(i, 'gate_up_proj'), [2 * f, d]);
    } else {
      shapes.set(layerWeight(i, 'gate_proj'), [f, d]);
      shapes.set(layerWeight(i, 'up_proj'), [f, d]);
    }
    shapes.set(layerWeight(i, 'down_proj'), [d, f]);
    if (config.mlpBias) {
      shapes.set(layerWeight(i, 'gate_proj', 'bias'), [f]);
      shapes.set(layerWeight(i, 'up_proj', 'bias'), [f]);
      shapes.set(layerWeight(i, 'down_proj', 'bias'), [d]);
    }
  }
  shapes.set(FINAL_NORM, [d]);
  if (!config.tieWordEmbeddings) shapes.set(LM_HEAD, [v, d]);
  return shapes;
}
