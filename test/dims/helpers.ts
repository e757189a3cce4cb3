import { expectedWeightShapes, parseModelConfig, type ModelConfig, type RawModelConfig } from '../../src/checkpoint/config.js';
import type { Region } from '../../src/regions/types.js';
import { mulberry32 } from '../../src/util/random.js';

/** A llama config (no weights needed for concentration). */
export function configOf(raw: Partial<RawModelConfig> = {}): ModelConfig {
  return parseModelConfig({
    model_type: 'llama',
    vocab_size: 64,
    hidden_size: 64,
    intermediate_size: 128,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    ...raw,
  });
}

/**
 * A region over every decoder-layer weight of `config`: each entry in with probability `fraction`
 * (seeded), then `plant(name, shape, mask)` may add entries.
 */
export function randomRegion(
  config: ModelConfig,
  fraction: number,
  seed: number,
  plant: (name: string, shape: number[], mask: Uint8Array) => void = () => {},
): Region {
  const rng = mulberry32(seed);
  const masks = new Map<string, { shape: number[]; data: Uint8Array }>();
  const counts = new Map<string, number>();
  for (const [name, shape] of expectedWeightShapes(config)) {
    if (!name.startsWith('model.layers.')) continue;
    const data = new Uint8Array(shape.reduce((n, d) => n * d, 1));
    for (let i = 0; i < data.length; i++) data[i] = rng() < fraction ? 1 : 0;
    plant(name, shape, data);
    masks.set(name, { shape, data });
    counts.set(name, data.reduce((n, v) => n + v, 0));
  }
  return { kind: 'custom', fraction, languages: [], masks, counts, seed: null, provenance: {} };
}

/** Sets column `col` of an [rows, cols] mask (every row). */
export function plantColumn(mask: Uint8Array, [rows, cols]: number[], col: number): void {
  for (let r = 0; r < rows!; r++) mask[r * cols! + col] = 1;
}

/** Sets row `row` of an [rows, cols] mask (every column). */
export function plantRow(mask: Uint8Array, [, cols]: number[], row: number): void {
  for (let c = 0; c < cols!; c++) mask[row * cols! + c] = 1;
}
