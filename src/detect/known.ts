/**
 * Published super-weight coordinates (Yu et al., 2024, "The Super Weight in Large Language Models",
 * arXiv 2411.07191; code mengxiayu/LLMSuperWeight): `model.layers.<layer>.mlp.down_proj.weight[row][col]`.
 * A detected coordinate that equals one of these on a checkpoint of the same shape is reported as a match
 * ("(1, 2533, 7890) — matches Yu et al.'s Llama-2-7B"). The paper's finding-2 dimension on LLaMA-2-13B, 2100, is
 * one of that model's massive-activation dims in Sun et al. (COLM 2024; with 4743).
 */
import type { ModelConfig } from '../checkpoint/config.js';

/** One published super weight and the shape of the model it was found in. */
export interface KnownSuperWeight {
  model: string;
  source: string;
  layer: number;
  row: number;
  col: number;
  shape: { hiddenSize: number; intermediateSize: number; numLayers: number; vocabSize: number };
}

const LLAMA_7B = { hiddenSize: 4096, intermediateSize: 11008, numLayers: 32, vocabSize: 32000 };
const MISTRAL_7B = { hiddenSize: 4096, intermediateSize: 14336, numLayers: 32, vocabSize: 32000 };
const LLAMA_3_8B = { hiddenSize: 4096, intermediateSize: 14336, numLayers: 32, vocabSize: 128256 };
const YU = 'Yu et al. 2024 (arXiv 2411.07191)';

export const KNOWN_SUPER_WEIGHTS: readonly KnownSuperWeight[] = [
  { model: 'Llama-7B', source: YU, layer: 2, row: 3968, col: 7003, shape: LLAMA_7B },
  { model: 'Llama-2-7B', source: YU, layer: 1, row: 2533, col: 7890, shape: LLAMA_7B },
  { model: 'Mistral-7B', source: YU, layer: 1, row: 2070, col: 7310, shape: MISTRAL_7B },
  { model: 'Llama-3-8B', source: YU, layer: 1, row: 788, col: 2427, shape: LLAMA_3_8B },
  { model: 'Llama-3-8B', source: YU, layer: 1, row: 1384, col: 2427, shape: LLAMA_3_8B },
  { model: 'Llama-3-8B', source: YU, layer: 1, row: 4062, col: 2427, shape: LLAMA_3_8B },
];

/** The published super weight at this coordinate of a model of this shape, or null. */
export function matchKnownSuperWeight(
  config: Pick<ModelConfig, 'hiddenSize' | 'intermediateSize' | 'numLayers' | 'vocabSize'>,
  at: { layer: number; row: number; col: number },
): KnownSuperWeight | null {
  return (
    KNOWN_SUPER_WEIGHTS.find(
      (k) =>
        k.layer === at.layer && k.row === at.row && k.col === at.col &&
        k.shape.hiddenSize === config.hiddenSize && k.shape.intermediateSize === config.intermediateSize &&
        k.shape.numLayers === config.numLayers && k.shape.vocabSize === config.vocabSize,
    ) ?? null
  );
}
