/**
 * The registry of detectors: each forward-only detector declared once — its name, what it reads (a probe of token
 * windows, or windows per language), the revision its cached results carry, how it runs on a model, how its result
 * turns to JSON and back, and its CLI help and table. Derived from this list: `regions detect <name>` (its
 * subcommands, help and tables), the subject's detector methods and their disk cache (../subject/), and
 * docs/detectors.md's table (a test keeps it listing every detector). Adding a detector: its computation in its
 * own file of this folder, one declaration here, one line in {@link DETECTORS}.
 */
import { layerWeight } from '../checkpoint/names.js';
import type { ObservableModel } from '../model/observe.js';
import { formatTable } from '../util/table.js';
import { DETECT_REVISION, MASSIVE_MIN_RATIO, MASSIVE_MIN_VALUE, massiveActivations, SUPER_WEIGHT_MIN_RATIO, superWeights, type MassiveActivations, type SuperWeights } from './activations.js';
import { languageNeurons, type LanguageNeurons } from './language-neurons.js';

/** What a detector reads: token windows, or token windows per language (a detector that compares languages). */
export type Probe = { kind: 'windows'; windows: number[][] } | { kind: 'by-language'; windows: Record<string, number[][]> };

/** What a run may be given besides the probe. */
export interface DetectContext {
  /** Which token ids are delimiters (Sun et al.'s position kinds). */
  isDelimiter?: (token: number) => boolean;
  /** Windows per forward pass. */
  batchSize?: number;
  /** The least spike ratio (each detector's own default when absent). */
  minRatio?: number;
}

/** One detector. `T`: its result. */
export interface DetectorDeclaration<N extends string = string, T = unknown> {
  name: N;
  /** What it reads. */
  probe: Probe['kind'];
  /** Part of its cache key: bump when the computation changes. */
  revision: number;
  /** One line: `regions detect`'s summary. */
  summary: string;
  /** `regions detect <name> --help`'s paragraph. */
  description: string;
  run(model: ObservableModel, probe: Probe, context: DetectContext): Promise<T>;
  /** To JSON and back, where the result holds typed arrays. */
  codec?: { encode(value: T): unknown; decode(value: unknown): T };
  /** The CLI's table and verdict. */
  text(result: T): string;
}

const windowsOf = (p: Probe): number[][] => (p.kind === 'windows' ? p.windows : Object.values(p.windows).flat());
const byLanguage = (p: Probe): Record<string, number[][]> => {
  if (p.kind !== 'by-language') throw new Error('this detector compares languages: give it windows by language');
  return p.windows;
};
const f = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));

const superWeightsDetector: DetectorDeclaration<'super-weights', SuperWeights> = {
  name: 'super-weights',
  probe: 'windows',
  revision: DETECT_REVISION,
  summary: 'super-weight candidates from one forward pass',
  description:
    'Runs the probe text once and reports, per layer, the largest |input| channel and |output| dim of ' +
    `mlp.down_proj; a layer whose output spike is at least --min-ratio (default ${SUPER_WEIGHT_MIN_RATIO}) × its median dim gives a ` +
    'super-weight candidate (layer, row = that dim, col = that channel), as Yu et al. (2024) find them. A ' +
    'candidate equal to a published coordinate on a checkpoint of the same shape is named as a match.',
  run: (model, probe, c) => superWeights(model, windowsOf(probe), { minRatio: c.minRatio }),
  text(r) {
    const rows = r.layers.map((l) => [String(l.layer), `${f(l.input.value)} @ ${l.input.channel}`, `${f(l.output.value)} @ ${l.output.dim}`, `×${f(l.outputRatio)}`]);
    const table = formatTable(
      [
        { header: 'layer', align: 'right' },
        { header: 'down_proj input max @ channel', align: 'right' },
        { header: 'output max @ dim', align: 'right' },
        { header: 'output ÷ median dim', align: 'right' },
      ],
      rows,
    );
    const found =
      r.candidates.length === 0
        ? `no super weight: no layer's down_proj output spikes to ×${r.criterion.minRatio} its median dim`
        : r.candidates
            .map((c) => `(${c.layer}, ${c.row}, ${c.col}): ${layerWeight(c.layer, 'down_proj')}[${c.row}][${c.col}] = ${c.weight.toPrecision(4)}, output ×${f(c.outputRatio)}${c.known === null ? '' : ` — matches ${c.known.source}'s ${c.known.model}`}`)
            .join('\n');
    return `${table}\nsuper-weight candidates (layer, row, col):\n${found}\n`;
  },
};

const massiveActivationsDetector: DetectorDeclaration<'massive-activations', MassiveActivations> = {
  name: 'massive-activations',
  probe: 'windows',
  revision: DETECT_REVISION,
  summary: 'massive activations per layer',
  description:
    'Runs the probe text once and reports, after the embedding and after each layer, the largest |activation| ' +
    'of the residual stream on distinct dims, at which kind of position (the first token, a delimiter . or ' +
    `newline, any other), and its ratio to the median |activation|; dims above ${MASSIVE_MIN_VALUE} and --min-ratio (default ` +
    `${MASSIVE_MIN_RATIO}) × the median are massive activations (Sun et al., 2024).`,
  run: (model, probe, c) => massiveActivations(model, windowsOf(probe), { isDelimiter: c.isDelimiter, minRatio: c.minRatio }),
  text(r) {
    const rows = r.layers.map((l) => [l.layer < 0 ? 'embed' : String(l.layer), l.median.toPrecision(3), l.top.map((p) => `${f(p.value)} @ ${p.dim} (${p.kind})`).join(', '), `×${f(l.ratio)}`]);
    const table = formatTable(
      [
        { header: 'layer', align: 'right' },
        { header: 'median |h|', align: 'right' },
        { header: 'top |h| @ dim (position)', align: 'left' },
        { header: 'top ÷ median', align: 'right' },
      ],
      rows,
    );
    const { minValue, minRatio } = r.criterion;
    const found =
      r.massive.length === 0
        ? `none: no activation above ${minValue} and ×${minRatio} its layer's median`
        : r.massive.map((m) => `dim ${m.dim}: up to ${f(m.maxValue)} (×${f(m.maxRatio)}) in layers ${m.layers.join(', ')}, at ${m.kinds.join('/')} positions`).join('\n');
    return `${table}\nmassive activations (Sun et al.: > ${minValue} and ≥ ×${minRatio} the median):\n${found}\n`;
  },
};

const languageNeuronsDetector: DetectorDeclaration<'language-neurons', LanguageNeurons> = {
  name: 'language-neurons',
  probe: 'by-language',
  revision: DETECT_REVISION,
  summary: 'language-specific FFN neurons (LAPE)',
  description:
    'Runs each language’s text and measures, per FFN neuron, the share of positions where the gate’s output is ' +
    '> 0 (where SiLU and GeLU are; its activation probability per language); selects the 1% of neurons with the ' +
    'lowest entropy over languages among those active above the 0.95 quantile somewhere, each belonging to the ' +
    'languages where it is active above that quantile — LAPE, with Tang et al.’s (2024) defaults. Needs at least ' +
    'two --languages.',
  run: (model, probe, c) => languageNeurons(model, byLanguage(probe), { batchSize: c.batchSize }),
  // Float32Array ↔ number[]: float32 values survive JSON exactly.
  codec: {
    encode: (v) => ({ ...v, probabilities: Object.fromEntries(Object.entries(v.probabilities).map(([l, p]) => [l, Array.from(p)])) }),
    decode: (v) => {
      const r = v as LanguageNeurons & { probabilities: Record<string, number[]> };
      return { ...r, probabilities: Object.fromEntries(Object.entries(r.probabilities).map(([l, p]) => [l, Float32Array.from(p)])) };
    },
  },
  text(r) {
    const t = r.thresholds;
    const rows = r.languages.map((l) => [l, String(r.tokens[l]), String(r.perLanguage[l]!.neurons), String(r.perLanguage[l]!.exclusive)]);
    const table = formatTable(
      [
        { header: 'language', align: 'left' },
        { header: 'tokens', align: 'right' },
        { header: 'neurons', align: 'right' },
        { header: 'its alone', align: 'right' },
      ],
      rows,
    );
    const top = r.neurons
      .slice(0, 10)
      .map((x) => `layer ${x.layer} neuron ${x.neuron}: entropy ${x.entropy.toFixed(3)}, ${x.languages.length === 0 ? 'no language above the bar' : x.languages.map((l) => `${l} p=${r.probabilities[l]![x.layer * r.ffn + x.neuron]!.toFixed(3)}`).join(', ')}`)
      .join('\n');
    return (
      `${table}\n${r.neurons.length} neurons selected (the ${t.topRate} share of ${r.layers * r.ffn} with the lowest entropy, among those active above ` +
      `p = ${t.filterValue.toFixed(3)} (the ${t.filterRate} quantile) in some language); a neuron belongs to each language where p > ${t.activationBar.toFixed(3)} ` +
      `(the ${t.activationBarRatio} quantile).\nlowest entropy:\n${top}\n`
    );
  },
};

/** Every detector, in the order `regions detect` lists them. */
export const DETECTORS = [superWeightsDetector, massiveActivationsDetector, languageNeuronsDetector] as const;

export type DetectorName = (typeof DETECTORS)[number]['name'];

/** The result type of a detector by name. */
export type DetectorResult<N extends DetectorName> = Extract<(typeof DETECTORS)[number], { name: N }> extends DetectorDeclaration<N, infer T> ? T : never;

/** docs/detectors.md's table of detectors, from the registry (a test keeps the doc equal to it). */
export function detectorsTable(): string {
  const rows = DETECTORS.map((d) => `| \`${d.name}\` | ${d.summary} | ${d.probe === 'windows' ? 'probe windows' : 'windows per language'} | ${d.revision} |`);
  return ['| detector | what it finds | reads | revision |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** A detector's declaration by name. */
export function detector<N extends DetectorName>(name: N): Extract<(typeof DETECTORS)[number], { name: N }> {
  return DETECTORS.find((d) => d.name === name) as Extract<(typeof DETECTORS)[number], { name: N }>;
}
