/**
 * Language-specific neurons by LAPE (language activation probability entropy; Tang et al., ACL 2024,
 * RUCAIBox/Language-Specific-Neurons), a forward-only rival of the paper's gradient monolingual regions:
 *
 * 1. per FFN neuron (layer ℓ, neuron j) and language L, p_L = the share of L's token positions at which the
 *    neuron is active, SiLU(gate_proj(x))_j > 0 (gate output > 0);
 * 2. normalise p over the languages and take its entropy: low entropy = active mostly in few languages;
 * 3. drop neurons whose p_L stays at or below the `filterRate` quantile of all p for every language (rarely
 *    active anywhere); of the rest, keep the `topRate` share of all neurons with the lowest entropy;
 * 4. a kept neuron belongs to L when p_L is above the `activationBarRatio` quantile of all p.
 *
 * Defaults are the authors' (filter_rate 0.95, top_rate 0.01, activation_bar_ratio 0.95). A neuron may belong to
 * several languages, as in their code. Quantiles are the k-th smallest value, k = round(n · rate), as torch's
 * kthvalue there.
 */
import type { ObservableModel } from '../model/observe.js';
import { batchWindows } from '../corpus/windows.js';

export interface LanguageNeuronOptions {
  filterRate?: number;
  topRate?: number;
  activationBarRatio?: number;
}

/** One selected neuron: where it is, its entropy, and the languages it belongs to. */
export interface LanguageNeuron {
  layer: number;
  neuron: number;
  entropy: number;
  languages: string[];
}

/** What {@link languageNeurons} found. */
export interface LanguageNeurons {
  languages: string[];
  layers: number;
  ffn: number;
  /** p_L per language: [layers·ffn] row-major (layer-major). */
  probabilities: Record<string, Float32Array>;
  /** Token positions counted per language. */
  tokens: Record<string, number>;
  /** The selected neurons, lowest entropy first. */
  neurons: LanguageNeuron[];
  /** Per language, how many selected neurons belong to it, and to it alone. */
  perLanguage: Record<string, { neurons: number; exclusive: number }>;
  thresholds: { filterRate: number; topRate: number; activationBarRatio: number; filterValue: number; activationBar: number };
}

function kthValue(sorted: Float64Array, rate: number): number {
  const k = Math.min(sorted.length, Math.max(1, Math.round(sorted.length * rate)));
  return sorted[k - 1]!;
}

function checkRate(name: string, v: number): number {
  if (!(v > 0 && v < 1)) throw new RangeError(`languageNeurons: ${name} must be between 0 and 1 (got ${v})`);
  return v;
}

/**
 * The LAPE selection from activation probabilities (pure): `probabilities[L]` holds p_L of every neuron,
 * layer-major over `layers` layers.
 */
export function selectLanguageNeurons(
  probabilities: Record<string, Float32Array>,
  layers: number,
  options: LanguageNeuronOptions = {},
): Pick<LanguageNeurons, 'neurons' | 'perLanguage' | 'thresholds'> {
  const filterRate = checkRate('filterRate', options.filterRate ?? 0.95);
  const topRate = checkRate('topRate', options.topRate ?? 0.01);
  const activationBarRatio = checkRate('activationBarRatio', options.activationBarRatio ?? 0.95);
  const languages = Object.keys(probabilities);
  if (languages.length < 2) throw new Error(`languageNeurons: needs at least two languages (got ${languages.length})`);
  const n = probabilities[languages[0]!]!.length;
  if (n === 0 || n % layers !== 0) throw new Error(`languageNeurons: ${n} probabilities do not split into ${layers} layers`);
  for (const l of languages) if (probabilities[l]!.length !== n) throw new Error(`languageNeurons: language ${l} has ${probabilities[l]!.length} probabilities, ${languages[0]} ${n}`);
  const all = new Float64Array(n * languages.length);
  languages.forEach((l, k) => all.set(probabilities[l]!, k * n));
  all.sort();
  const filterValue = kthValue(all, filterRate);
  const activationBar = kthValue(all, activationBarRatio);
  const entropy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let above = false;
    for (const l of languages) {
      const p = probabilities[l]![i]!;
      sum += p;
      if (p > filterValue) above = true;
    }
    if (!above || sum === 0) {
      entropy[i] = Infinity;
      continue;
    }
    let h = 0;
    for (const l of languages) {
      const q = probabilities[l]![i]! / sum;
      if (q > 0) h -= q * Math.log(q);
    }
    entropy[i] = h;
  }
  const keep = Math.round(n * topRate);
  // Lowest entropy first; ties by position, so the selection is deterministic.
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => Number.isFinite(entropy[i]!)).sort((a, b) => entropy[a]! - entropy[b]! || a - b);
  const ffn = n / layers;
  const neurons: LanguageNeuron[] = order.slice(0, keep).map((i) => ({
    layer: Math.floor(i / ffn),
    neuron: i % ffn,
    entropy: entropy[i]!,
    languages: languages.filter((l) => probabilities[l]![i]! > activationBar),
  }));
  const perLanguage = Object.fromEntries(
    languages.map((l) => [l, { neurons: neurons.filter((x) => x.languages.includes(l)).length, exclusive: neurons.filter((x) => x.languages.length === 1 && x.languages[0] === l).length }]),
  );
  return { neurons, perLanguage, thresholds: { filterRate, topRate, activationBarRatio, filterValue, activationBar } };
}

/** Activation probabilities of every FFN neuron per language on `windowsByLanguage` (equal-length windows per language), then the LAPE selection. */
export async function languageNeurons(
  model: ObservableModel,
  windowsByLanguage: Record<string, readonly number[][]>,
  options: LanguageNeuronOptions & { batchSize?: number } = {},
): Promise<LanguageNeurons> {
  const layers = model.config.numLayers;
  const ffn = model.config.intermediateSize;
  const probabilities: Record<string, Float32Array> = {};
  const tokens: Record<string, number> = {};
  for (const [language, windows] of Object.entries(windowsByLanguage)) {
    if (windows.length === 0) throw new Error(`languageNeurons: no windows for language ${language} (its text is empty)`);
    const counts = new Float64Array(layers * ffn);
    let positions = 0;
    for (const batch of batchWindows(windows, options.batchSize ?? 8)) {
      const c = await model.observe('gate-positive', batch);
      for (let k = 0; k < c.length; k++) counts[k]! += c[k]!;
      positions += batch.length * batch[0]!.length;
    }
    probabilities[language] = Float32Array.from(counts, (c) => c / positions);
    tokens[language] = positions;
  }
  return { languages: Object.keys(probabilities), layers, ffn, probabilities, tokens, ...selectLanguageNeurons(probabilities, layers, options) };
}
