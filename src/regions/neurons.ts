/**
 * A region of whole FFN neurons — for the language neurons a forward-only detector selects (LAPE,
 * ../detect/language-neurons.ts): neuron j of layer ℓ is row j of `gate_proj` and `up_proj` and column j of
 * `down_proj`. Zeroing those three silences the neuron exactly (its SiLU(gate)·up is 0 and nothing is written),
 * which is what Tang et al. do by setting its activation to 0; as a region it also works with every other
 * perturbation and with freezing.
 */
import { layerWeight } from '../checkpoint/names.js';
import type { ModelConfig } from '../checkpoint/config.js';
import type { Region } from './types.js';

/** The region holding every weight entry of the given neurons; `kind` neurons:<language>. */
export function neuronRegion(
  config: ModelConfig,
  neurons: readonly { layer: number; neuron: number }[],
  language: string,
  provenance: Record<string, string> = {},
): Region {
  const d = config.hiddenSize;
  const ffn = config.intermediateSize;
  const masks = new Map<string, { shape: number[]; data: Uint8Array }>();
  const counts = new Map<string, number>();
  const mask = (name: string, shape: number[]) => {
    let m = masks.get(name);
    if (m === undefined) masks.set(name, (m = { shape, data: new Uint8Array(shape[0]! * shape[1]!) }));
    return m.data;
  };
  const seen = new Set<string>();
  for (const { layer, neuron } of neurons) {
    if (!(Number.isInteger(layer) && layer >= 0 && layer < config.numLayers)) throw new RangeError(`neuronRegion: layer ${layer} is not a layer of this model (0–${config.numLayers - 1})`);
    if (!(Number.isInteger(neuron) && neuron >= 0 && neuron < ffn)) throw new RangeError(`neuronRegion: neuron ${neuron} is not an FFN neuron of this model (0–${ffn - 1})`);
    if (seen.has(`${layer}:${neuron}`)) continue;
    seen.add(`${layer}:${neuron}`);
    if (config.block.fused) {
      // Phi-3: the neuron's gate row n and up row ffn + n of gate_up_proj.
      const gateUp = mask(layerWeight(layer, 'gate_up_proj'), [2 * ffn, d]);
      gateUp.fill(1, neuron * d, (neuron + 1) * d);
      gateUp.fill(1, (ffn + neuron) * d, (ffn + neuron + 1) * d);
    } else {
      for (const name of [layerWeight(layer, 'gate_proj'), layerWeight(layer, 'up_proj')]) mask(name, [ffn, d]).fill(1, neuron * d, (neuron + 1) * d);
    }
    const down = mask(layerWeight(layer, 'down_proj'), [d, ffn]);
    for (let r = 0; r < d; r++) down[r * ffn + neuron] = 1;
  }
  for (const [name, m] of masks) counts.set(name, m.data.reduce((a, b) => a + b, 0));
  return {
    kind: `neurons:${language}`,
    fraction: seen.size / (config.numLayers * ffn),
    languages: [language],
    masks,
    counts,
    seed: null,
    provenance: { selection: 'whole FFN neurons: rows of gate_proj and up_proj (of gate_up_proj where fused), columns of down_proj', ...provenance },
  };
}
