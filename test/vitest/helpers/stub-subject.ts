/**
 * A RegionsSubject with made-up, fixed numbers and no model: the matchers' wording and tables are pinned
 * against it, independent of any backend's float rounding. Perplexities come from `ppl(perturbation)`;
 * further pre-training runs from `curves` (served through the subject's cache, as a cache hit would be).
 */
import type { LanguagePerplexity } from '../../../src/metrics/perplexity.js';
import { parsePerturbation, type Perturbation, type PerturbationInput } from '../../../src/perturb/perturbation.js';
import type { Region } from '../../../src/regions/types.js';
import type { ForgettingCurve } from '../../../src/train/further.js';
import { regionHash } from '../../../src/regions/hash.js';
import { resolveRegionsOptions } from '../../../src/subject/options.js';
import type { RegionsSubject } from '../../../src/findings/subject.js';
import { DEFAULT_THRESHOLDS } from '../../../src/findings/thresholds.js';

export const STUB_WEIGHT = 'model.layers.0.mlp.down_proj.weight';

/** A region of `entries` entries of a [8, 8] weight. */
export function stubRegion(kind: Region['kind'], entries: number[], fraction = 0.05): Region {
  const data = new Uint8Array(64);
  for (const i of entries) data[i] = 1;
  return {
    kind,
    fraction,
    languages: ['en', 'zh'],
    masks: new Map([[STUB_WEIGHT, { shape: [8, 8], data }]]),
    counts: new Map([[STUB_WEIGHT, entries.length]]),
    seed: kind === 'random' ? 0 : null,
    provenance: {},
  };
}

function measured(ppl: number): LanguagePerplexity {
  return { tokens: 1000, bytes: 1000, meanNll: Math.log(ppl), ppl, bitsPerByte: Math.log2(ppl), windows: { nll: [1000 * Math.log(ppl)], tokens: [1000] } };
}

/** The regions stub tests freeze, by the hash the frozen-run cache key carries. */
const kindsByHash = new Map<string, string>();

/** A region for a frozen run of the stub: registered so the stub's cache can serve the curve for its kind. */
export function stubFrozenRegion(kind: Region['kind'], entries: number[]): Region {
  const r = stubRegion(kind, entries);
  kindsByHash.set(regionHash(r), kind);
  return r;
}

export interface StubNumbers {
  baseline: Record<string, number>;
  /** Perplexity per language under a perturbation. */
  ppl: (p: Perturbation) => Record<string, number>;
  /** Further pre-training runs by frozen region kind (null: nothing frozen). */
  curves?: (freezeKind: string | null) => ForgettingCurve;
}

export function stubSubject(numbers: StubNumbers, extra: Partial<Pick<RegionsSubject, 'heldoutText'>> = {}): RegionsSubject {
  const languages = Object.keys(numbers.baseline);
  const options = resolveRegionsOptions({ checkpoint: '/models/stub', cacheDir: '/nonexistent' }, { env: {}, root: '/' });
  const subject = {
    options,
    dir: '/models/stub',
    hash: 'f00dfeedbeef0123456789',
    label: 'stub (sha256 f00dfeedbeef)',
    config: { hiddenSize: 8, intermediateSize: 8, numLayers: 2, vocabSize: 16 },
    // Two layers of [8, 8] weights; down_proj[2][3] of layer 0 is 0.5, every other entry 0.01.
    model: {
      weightShape: () => [8, 8],
      readWeight: async () => Float32Array.from({ length: 64 }, (_, i) => (i === 2 * 8 + 3 ? 0.5 : 0.01)),
    },
    texts: new Map(languages.map((l) => [l, `${l} text`])),
    languages,
    thresholds: DEFAULT_THRESHOLDS,
    thresholdsFile: null,
    seqLen: 32,
    // Bytes as token ids (the frozen-run cache key hashes the windows it would read).
    tokenizer: { encode: (text: string) => [...Buffer.from(text, 'utf8')], bosId: 256, eosId: 257, decode: () => '' },
    engine: { name: 'ort-cpu', engine: 'onnxruntime', device: 'stub' },
    trainText: (l: string) => `${l} training text`,
    heldoutText: () => null,
    baseline: async (ls = languages) => Object.fromEntries(ls.map((l) => [l, measured(numbers.baseline[l]!)])),
    perplexity: async (p: PerturbationInput | readonly PerturbationInput[], ls = languages) => {
      const parsed = parsePerturbation(Array.isArray(p) ? p[0] : p);
      const out = numbers.ppl(parsed);
      return Object.fromEntries(ls.map((l) => [l, measured(out[l]!)]));
    },
    region: async (r: { kind: Region['kind']; fraction?: number }) => stubRegion(r.kind, [0, 9, 18, 27], r.fraction),
    monolingualRegion: async (l: string) => stubRegion(`monolingual:${l}`, [1, 2, 3]),
    languageNeuronRegion: async (l: string) => stubRegion(`neurons:${l}`, [4, 5]),
    cache: {
      // The run's cache key holds the frozen region's hash: serve the curve of that region's kind.
      getOrCompute: async (what: { settings: { freeze: string | null } }) => {
        const freeze = what.settings.freeze;
        return numbers.curves!(freeze === null ? null : (kindsByHash.get(freeze) ?? 'unknown'));
      },
    },
    detectedDims: async () => [3, 5, 1],
    // The detectors: a super-weight spike at (0, 2, 3), ×100; a massive activation on dim 7 after layer 0, ×2,000.
    superWeights: async () => ({
      layers: [
        { layer: 0, input: { value: 50, channel: 3 }, output: { value: 400, dim: 2 }, outputRatio: 100 },
        { layer: 1, input: { value: 2, channel: 1 }, output: { value: 3, dim: 4 }, outputRatio: 1.5 },
      ],
      candidates: [{ layer: 0, row: 2, col: 3, weight: 0.5, inputValue: 50, outputValue: 400, outputRatio: 100, known: null }],
      criterion: { minRatio: 50 },
      windows: 4,
      tokens: 128,
    }),
    massiveActivations: async () => ({
      layers: [-1, 0, 1].map((layer) => ({
        layer,
        median: 0.1,
        top: [{ value: layer === 0 ? 200 : 0.5, dim: layer === 0 ? 7 : 2, position: 0, kind: 'first', token: 1 }],
        ratio: layer === 0 ? 2000 : 5,
        byKind: { first: null, delimiter: null, other: null },
      })),
      massive: [{ dim: 7, layers: [0], maxValue: 200, maxRatio: 2000, kinds: ['first'] }],
      criterion: { minValue: 100, minRatio: 1000 },
      windows: 4,
      tokens: 128,
    }),
    // The residual stream's probe means: 200 on dim 7 after layer 0 at the first position (the massive activation's value).
    residualMeans: async () => ({
      first: [-1, 0, 1].map((layer) => Float64Array.from({ length: 8 }, (_, k) => (layer === 0 && k === 7 ? 200 : 0.1))),
      rest: [-1, 0, 1].map(() => new Float64Array(8).fill(0.05)),
      windows: 4,
      restPositions: 124,
    }),
    hostWeights: async () => new Map(),
    close: () => {},
    ...extra,
  };
  return subject as unknown as RegionsSubject;
}

/** A forgetting curve over en (retained) and zh (trained; with `heldout`, also zh's held-out text from ppl 50), from step 0 to 50. */
export function stubCurve(after: { en: number; zh: number; heldout?: number }, frozen: boolean): ForgettingCurve {
  const p = (ppl: number) => measured(ppl);
  const settings = {
    train: { language: 'zh', sha256: 'a' },
    evaluate: [{ language: 'en', sha256: 'b' }, { language: 'zh', sha256: 'c' }],
    steps: 50,
    lr: 5e-5,
    batch: 8,
    seqLen: 32,
    weightDecay: 0.001,
    warmup: 0,
    clipNorm: 1,
    freeze: null,
    zeroFrozen: false,
    evalAt: [0, 50],
    evalMaxTokens: 2048,
    seed: 0,
    threads: 1,
    backend: 'ort-cpu',
  };
  return {
    points: [
      { step: 0, samples: 0, perplexity: { en: p(10), zh: p(100), ...(after.heldout !== undefined && { 'zh (held-out)': p(50) }) } },
      { step: 50, samples: 400, perplexity: { en: p(after.en), zh: p(after.zh), ...(after.heldout !== undefined && { 'zh (held-out)': p(after.heldout) }) } },
    ],
    trainLoss: [],
    frozenEntries: frozen ? 4 : 0,
    droppedNormMasks: [],
    droppedNormEntries: 0,
    trainedLanguageHeldOut: true,
    settings,
    device: 'stub',
    seconds: 0,
  };
}
