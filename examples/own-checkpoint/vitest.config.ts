import { defineConfig } from 'vitest/config';
import { regions } from 'vitest-regions/vitest/plugin';

export default defineConfig({
  plugins: [
    regions({
      checkpoint: 'checkpoints/my-llama', // config.json + model.safetensors + tokenizer.json (REGIONS_CHECKPOINT overrides)
      texts: 'data/eval', // held-out text, one <lang>.txt per language
      trainTexts: 'data/train', // text for importance scores and further pre-training
      languages: ['en', 'es', 'ru'],
      regionLanguages: ['en', 'es', 'ru'], // the languages whose summed importance defines the core region
      seqLen: 64, // tokens per evaluation window (at most the model's max_position_embeddings)
    }),
  ],
  test: { include: ['specs/**/*.spec.ts'], testTimeout: 600_000, hookTimeout: 600_000 },
});
