import { isNormWeight } from './names.js';
import { join } from 'node:path';
import { byteLevelTokenizerJson, BYTE_LEVEL_VOCAB_SIZE } from './byte-level-tokenizer.js';
import { mulberry32, normal } from '../util/random.js';
import { expectedWeightShapes, parseModelConfig, type ModelConfig, type RawModelConfig } from './config.js';
import { CheckpointError } from './errors.js';
import { FAMILIES, familyOf } from './families.js';
import { saveCheckpoint } from './save.js';
import { bf16BitsToFloat32, f16BitsToFloat32, float32ToBf16Bits, float32ToF16Bits } from './safetensors.js';
import type { HostTensor } from './types.js';

/** Options of {@link generateCheckpoint}. */
export interface GenerateCheckpointOptions {
  /** Seeds the weights: the same seed and config give the same bytes. */
  seed: number;
  /** config.json fields overriding the defaults (llama, vocab 64, hidden 32, 2 layers, 4 heads, ffn 64). */
  config?: Partial<RawModelConfig>;
  /** Storage dtype of the weights (default F32). */
  dtype?: 'F32' | 'BF16' | 'F16';
  /**
   * 'bytes': also write a byte-level tokenizer.json in which token id b is byte b (0..255), plus `<s>` = 256
   * and `</s>` = 257; vocab_size then defaults to 258 and must be at least that.
   */
  tokenizer?: 'bytes';
}

/** What {@link generateCheckpoint} wrote. */
export interface GeneratedCheckpoint {
  dir: string;
  config: ModelConfig;
  /** The config.json object written. */
  rawConfig: Record<string, unknown>;
  /** The weights as `loadCheckpoint` will return them (already rounded to the storage dtype). */
  weights: Map<string, HostTensor>;
}

const TORCH_DTYPES = { F32: 'float32', BF16: 'bfloat16', F16: 'float16' } as const;
/** A tokenizer.json whose tokens are single bytes (see ./byte-level-tokenizer.ts), serialised. */
export function byteTokenizerJson(): string {
  return JSON.stringify(byteLevelTokenizerJson());
}

function roundTo(dtype: 'F32' | 'BF16' | 'F16', data: Float32Array): Float32Array {
  if (dtype === 'BF16') return bf16BitsToFloat32(float32ToBf16Bits(data));
  if (dtype === 'F16') return f16BitsToFloat32(float32ToF16Bits(data));
  return data;
}

/**
 * The config.json object {@link generateCheckpoint} writes: the defaults (llama, vocab 64, hidden 32, 2 layers,
 * 4 heads, ffn 64; vocab 258 with the byte tokenizer) under the given fields.
 */
export function generatedRawConfig(options: Omit<GenerateCheckpointOptions, 'seed'> = {}): Record<string, unknown> {
  const bytes = options.tokenizer === 'bytes';
  const modelType = options.config?.model_type ?? 'llama';
  const family = familyOf(modelType);
  return {
    architectures: family === undefined ? [] : [FAMILIES[family].architecture],
    model_type: modelType,
    vocab_size: bytes ? BYTE_LEVEL_VOCAB_SIZE : 64,
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 4,
    max_position_embeddings: 128,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    // A family whose config class has its own activation default (Gemma: gelu_pytorch_tanh) keeps it.
    ...(family !== undefined && 'hidden_act' in FAMILIES[family].defaults ? {} : { hidden_act: 'silu' }),
    tie_word_embeddings: false,
    bos_token_id: bytes ? 256 : 1,
    eos_token_id: bytes ? 257 : 2,
    torch_dtype: TORCH_DTYPES[options.dtype ?? 'F32'],
    ...options.config,
  };
}

/**
 * Seeded random-init weights of a config, in memory: ~ N(0, 0.02²) from one mulberry32 stream in the standard
 * tensor order (biases too, so a forward pass that drops a bias is caught), RMSNorm weights = 1 (as HF initialises
 * them: 0 for Gemma's (1 + w) norms, the same scale), rounded to the storage dtype. The result depends only on (seed, config, dtype).
 */
export function generateWeights(config: ModelConfig, seed: number, dtype: 'F32' | 'BF16' | 'F16' = 'F32'): Map<string, HostTensor> {
  const rng = mulberry32(seed);
  const weights = new Map<string, HostTensor>();
  for (const [name, shape] of expectedWeightShapes(config)) {
    const data = new Float32Array(shape.reduce((n, d) => n * d, 1));
    if (isNormWeight(name)) data.fill(config.block.normOffset === 1 ? 0 : 1);
    else for (let i = 0; i < data.length; i++) data[i] = 0.02 * normal(rng);
    weights.set(name, { shape, data: roundTo(dtype, data) });
  }
  return weights;
}

/**
 * Writes a tiny random-init checkpoint in HF layout to `dir`, for fast tests: the weights of
 * {@link generateWeights} under the config of {@link generatedRawConfig}.
 */
export function generateCheckpoint(dir: string, options: GenerateCheckpointOptions): GeneratedCheckpoint {
  const bytes = options.tokenizer === 'bytes';
  const dtype = options.dtype ?? 'F32';
  const rawConfig = generatedRawConfig(options);
  const config = parseModelConfig(rawConfig, join(dir, 'config.json'));
  if (bytes && config.vocabSize < BYTE_LEVEL_VOCAB_SIZE) {
    throw new CheckpointError(join(dir, 'config.json'), `the byte tokenizer needs vocab_size ≥ ${BYTE_LEVEL_VOCAB_SIZE}`, 'vocab_size');
  }
  const weights = generateWeights(config, options.seed, dtype);

  saveCheckpoint(dir, {
    config: rawConfig,
    weights,
    dtype,
    ...(bytes && {
      tokenizerJson: byteTokenizerJson(),
      extraFiles: {
        'tokenizer_config.json': `${JSON.stringify({ tokenizer_class: 'PreTrainedTokenizerFast', bos_token: '<s>', eos_token: '</s>' }, null, 2)}\n`,
      },
    }),
  });
  return { dir, config, rawConfig, weights };
}
