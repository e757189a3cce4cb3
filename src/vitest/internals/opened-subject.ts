/**
 * The implementation of {@link RegionsSubject}: memoised in memory, cached on disk under the subject's
 * `cacheDir` by content hashes (see the interface in ../subject.ts for what each member means).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ModelConfig } from '../../checkpoint/config.js';
import type { HostTensor } from '../../checkpoint/types.js';
import { readTexts } from '../../corpus/texts.js';
import { textWindows, type TextWindows } from '../../corpus/windows.js';
import { cachedImportance, type LazyEngine } from '../../importance/cache.js';
import { loadImportance, saveImportance } from '../../importance/io.js';
import { wandaImportance } from '../../importance/wanda.js';
import type { ImportanceEngine } from '../../importance/compute.js';
import { windowsPerplexity, type LanguagePerplexity } from '../../metrics/perplexity.js';
import { OrtModel } from '../../engine/onnx/ort-model.js';
import { DETECT_REVISION, delimiterTest, massiveActivations, superWeights, type MassiveActivations, type SuperWeights } from '../../detect/activations.js';
import type { EngineInfo } from '../../engine/select.js';
import { LlamaModel } from '../../model/model.js';
import { isObservable, type ObservableModel } from '../../model/observe.js';
import type { SubjectModel } from '../subject.js';
import { describe, parsePerturbation, type PerturbationInput } from '../../perturb/perturbation.js';
import { assertApplicable, withPerturbation } from '../../perturb/with-perturbation.js';
import { monolingualRegion } from '../../regions/monolingual.js';
import { neuronRegion } from '../../regions/neurons.js';
import { languageNeurons, type LanguageNeurons } from '../../detect/language-neurons.js';
import { inTransformerLayers, selectRegion } from '../../regions/select.js';
import { sumImportance } from '../../regions/sum.js';
import type { Region } from '../../regions/types.js';
import type { ImportanceMap } from '../../importance/types.js';
import type { TextTokenizer } from '../../tokenizer/tokenizer.js';
import { RegionsOptionsError, type ResolvedRegionsOptions } from '../options.js';
import { SpecProgress } from '../progress.js';
import type { RegionRequest, RegionsSubject } from '../subject.js';
import type { Thresholds } from '../thresholds.js';
import { regionHash } from '../../regions/hash.js';
import { jsonHash, sha256 } from '../../util/hash.js';
import { JsonCache } from './json-cache.js';

/** HF name → shape for the weights inside the transformer layers, with zero scores: what a random region is drawn over. */
function shapeOnlyImportance(model: SubjectModel): ImportanceMap {
  const scores: ImportanceMap['scores'] = new Map();
  for (const name of model.weightNames().filter(inTransformerLayers)) {
    const shape = [...model.weightShape(name)];
    scores.set(name, { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  }
  return { languages: [], scores, provenance: {} };
}

/** The key of a perturbation for the perplexity cache: regions by content hash, everything else as written. */
function perturbationKey(p: PerturbationInput): unknown {
  if (p.kind === 'zero-region') return { kind: p.kind, region: regionHash(p.region) };
  return p;
}

/** A subject over a loaded model. Built by `openSubject`, which validates everything first. */
/** Tokens of each region language's training text the language-neuron detector (LAPE) reads. */
export const NEURON_TOKENS = 16_384;
/** Full windows of each region language's evaluation text the activation detectors' probe takes. */
export const PROBE_WINDOWS = 4;

export class OpenedSubject implements RegionsSubject {
  readonly label: string;
  readonly seqLen: number;
  readonly cache: JsonCache;
  readonly progress = new SpecProgress();
  readonly #baseline = new Map<string, Promise<LanguagePerplexity>>();
  readonly #windows = new Map<string, TextWindows>();
  readonly #train = new Map<string, string>();
  readonly #importance = new Map<string, Promise<ImportanceMap>>();
  readonly #regions = new Map<string, Promise<Region>>();
  readonly #detectors = new Map<string, Promise<unknown>>();
  #wanda: Promise<ImportanceMap> | undefined;
  #calibration: Record<string, number[][]> | undefined;
  readonly #release: () => Promise<void>;
  #closed = false;

  constructor(
    readonly options: ResolvedRegionsOptions,
    readonly hash: string,
    readonly config: ModelConfig,
    readonly model: SubjectModel,
    readonly tokenizer: TextTokenizer,
    readonly texts: ReadonlyMap<string, string>,
    readonly thresholds: Thresholds,
    readonly thresholdsFile: string | null,
    readonly engine: EngineInfo,
    release: () => Promise<void>,
  ) {
    this.#release = release;
    this.label = `${basename(options.checkpoint)} (sha256 ${hash.slice(0, 12)})`;
    this.seqLen = Math.min(options.seqLen, config.maxPositionEmbeddings);
    this.cache = new JsonCache(join(options.cacheDir, 'results'), options.cache);
  }

  get dir(): string {
    return this.options.checkpoint;
  }

  get languages(): readonly string[] {
    return [...this.texts.keys()];
  }

  #open(): void {
    if (this.#closed) throw new Error(`the subject ${this.label} was closed`);
  }

  trainText(language: string): string {
    let text = this.#train.get(language);
    if (text === undefined) {
      try {
        text = readTexts(this.options.trainTexts, [language]).get(language)!;
      } catch (err) {
        throw new RegionsOptionsError('option "trainTexts"', (err as Error).message);
      }
      this.#train.set(language, text);
    }
    return text;
  }

  heldoutText(language: string): string | null {
    const file = join(this.options.heldoutTexts, `${language}.txt`);
    if (!existsSync(file)) return null;
    try {
      return readTexts(this.options.heldoutTexts, [language]).get(language)!;
    } catch (err) {
      throw new RegionsOptionsError('option "heldoutTexts"', (err as Error).message);
    }
  }

  #text(language: string): string {
    const text = this.texts.get(language);
    if (text === undefined) {
      throw new RegionsOptionsError('option "languages"', `no evaluation text for "${language}" (the subject has: ${this.languages.join(', ')}; folder ${this.options.texts})`);
    }
    return text;
  }

  evalWindows(language: string): TextWindows {
    let w = this.#windows.get(language);
    if (w === undefined) {
      w = textWindows(this.#text(language), this.tokenizer, { seqLen: this.seqLen, maxTokens: this.options.evalTokens });
      if (w.windows.length === 0) throw new RegionsOptionsError('option "texts"', `the evaluation text of "${language}" has no tokens`);
      this.#windows.set(language, w);
    }
    return w;
  }

  /** What a perplexity of `language` depends on, besides the perturbation. */
  #perplexityKey(language: string): Record<string, unknown> {
    // The engine and its device are part of the key: engines agree to ~1e-7 relative, not to the bit, and so do one
    // engine's kernels on another CPU model or thread count (the device says both: "CPU: … (…, 2 threads)").
    return { checkpoint: this.hash, language, text: sha256(this.#text(language)), seqLen: this.seqLen, evalTokens: this.options.evalTokens, engine: this.engine.name, device: this.engine.device };
  }

  async #measure(language: string): Promise<LanguagePerplexity> {
    const { windows, bytes } = this.evalWindows(language);
    return windowsPerplexity(this.model, windows, bytes, { batchSize: this.options.batchSize });
  }

  async baseline(languages: readonly string[] = this.languages): Promise<Record<string, LanguagePerplexity>> {
    this.#open();
    const out: Record<string, LanguagePerplexity> = {};
    for (const language of languages) {
      let p = this.#baseline.get(language);
      if (p === undefined) {
        p = this.cache.getOrCompute('perplexity', { ...this.#perplexityKey(language), perturbation: null }, () => this.#measure(language));
        this.#baseline.set(language, p);
        p.catch(() => this.#baseline.delete(language));
      }
      out[language] = await p;
    }
    return out;
  }

  async perplexity(
    perturbation: PerturbationInput | readonly PerturbationInput[],
    languages: readonly string[] = this.languages,
  ): Promise<Record<string, LanguagePerplexity>> {
    this.#open();
    const list: readonly PerturbationInput[] = Array.isArray(perturbation) ? perturbation : [perturbation as PerturbationInput];
    assertApplicable(this.model, list);
    const key = list.map(perturbationKey);
    const what = (language: string) => ({ ...this.#perplexityKey(language), perturbation: key });
    const out: Record<string, LanguagePerplexity> = {};
    for (const language of languages) {
      const stored = this.cache.read<LanguagePerplexity>('perplexity', what(language));
      if (stored !== undefined) out[language] = stored;
    }
    const missing = languages.filter((l) => out[l] === undefined);
    if (missing.length > 0) {
      // One perturbation for every language still to measure: applying it costs as much as a forward pass on a big model.
      this.progress.start(list.map((p) => describe(parsePerturbation(p))).join(' + '), missing.length, 'languages');
      await withPerturbation(this.model, list, async () => {
        for (const language of missing) {
          this.progress.check();
          out[language] = await this.#measure(language);
          this.cache.write('perplexity', what(language), out[language]);
          this.progress.advance();
        }
      });
      this.progress.finish();
    }
    return Object.fromEntries(languages.map((l) => [l, out[l]!]));
  }

  async hostWeights(): Promise<Map<string, HostTensor>> {
    this.#open();
    const out = new Map<string, HostTensor>();
    for (const name of this.model.weightNames()) out.set(name, { shape: [...this.model.weightShape(name)], data: await this.model.readWeight(name) });
    return out;
  }

  /** Importance of several languages, computed (or read from the cache) one after another on the subject's model. */
  #importanceOf(languages: readonly string[]): Promise<ImportanceMap>[] {
    const missing = languages.filter((l) => !this.#importance.has(l));
    if (missing.length > 0) {
      const texts = missing.map((l) => this.trainText(l)); // fail on a missing text before any work
      const all = this.#computeImportance(missing, texts);
      missing.forEach((l, i) => {
        const p = all.then((maps) => maps[i]!);
        p.catch(() => this.#importance.delete(l));
        this.#importance.set(l, p);
      });
    }
    return languages.map((l) => this.#importance.get(l)!);
  }

  async #computeImportance(languages: readonly string[], texts: readonly string[]): Promise<ImportanceMap[]> {
    this.#open();
    const { batchSize } = this.options;
    const model = this.model;
    const engine: LazyEngine = {
      shapes: new Map(model.weightNames().map((n) => [n, [...model.weightShape(n)]])),
      engine: model instanceof OrtModel ? 'onnxruntime' : 'tfjs',
      // ONNX Runtime computes the gradients on its intra-op threads; a tfjs model in the test's own thread.
      start: async (): Promise<ImportanceEngine> => {
        if (model instanceof OrtModel || model instanceof LlamaModel) return model;
        throw new Error(`importance: the subject's model (${this.engine.name}) computes no gradients`);
      },
    };
    const maps: ImportanceMap[] = [];
    for (const [i, language] of languages.entries()) {
      const r = await cachedImportance(
        engine,
        { language, checkpointHash: this.hash, text: texts[i]!, tokenizer: this.tokenizer },
        {
          maxTokens: this.options.importanceTokens,
          seqLen: this.seqLen,
          batchSize,
          cacheDir: join(this.options.cacheDir, 'importance'),
          cache: this.options.cache,
        },
      );
      maps.push(r.map);
    }
    return maps;
  }

  probeWindows(): number[][] {
    return this.options.regionLanguages.flatMap((l) => this.evalWindows(l).windows.filter((w) => w.length === this.seqLen).slice(0, PROBE_WINDOWS));
  }

  /**
   * A detector's result, memoised and cached on disk by a content hash of the checkpoint, the detector (and
   * its revision), the probe it reads (its windows, by language where it compares languages) and the engine.
   * `encode`/`decode` turn it to JSON and back.
   */
  #detect<T>(name: string, probe: unknown, run: (model: ObservableModel) => Promise<T>, codec?: { encode: (v: T) => unknown; decode: (v: unknown) => T }): Promise<T> {
    let p = this.#detectors.get(name) as Promise<T> | undefined;
    if (p === undefined) {
      p = (async () => {
        this.#open();
        if (!isObservable(this.model)) throw new Error(`${name}: the engine's model (${this.engine.name}) offers no activations to observe`);
        const model = this.model;
        const what = { detector: name, revision: DETECT_REVISION, checkpoint: this.hash, probe: sha256(JSON.stringify(probe)), engine: this.engine.name, device: this.engine.device };
        const stored = this.cache.read<unknown>('detect', what);
        if (stored !== undefined) return codec === undefined ? (stored as T) : codec.decode(stored);
        this.progress.start(`detect ${name}`, 1, 'passes');
        const value = await run(model);
        this.progress.finish();
        this.cache.write('detect', what, codec === undefined ? value : codec.encode(value));
        return value;
      })();
      p.catch(() => this.#detectors.delete(name));
      this.#detectors.set(name, p);
    }
    return p;
  }

  massiveActivations(): Promise<MassiveActivations> {
    const windows = this.probeWindows();
    return this.#detect('massive-activations', windows, (model) => massiveActivations(model, windows, { isDelimiter: delimiterTest((ids) => this.tokenizer.decode(ids)) }));
  }

  superWeights(): Promise<SuperWeights> {
    const windows = this.probeWindows();
    return this.#detect('super-weights', windows, (model) => superWeights(model, windows));
  }

  async detectedDims(layer: number): Promise<number[]> {
    if (!(Number.isInteger(layer) && layer >= 0 && layer < this.config.numLayers)) {
      throw new Error(`detectedDims: layer must be a decoder layer in [0, ${this.config.numLayers}) (got ${layer})`);
    }
    const found = await this.massiveActivations();
    // Profile layer −1 is the embedding output: what layer 0 reads; profile L − 1 is what layer L reads.
    return found.layers.find((p) => p.layer === layer - 1)!.top.map((peak) => peak.dim);
  }

  /** The forward-only detectors' text, by region language: the first NEURON_TOKENS tokens of its training text (tokenized once). */
  #calibrationWindows(): Record<string, number[][]> {
    this.#calibration ??= Object.fromEntries(
      this.options.regionLanguages.map((l) => [l, textWindows(this.trainText(l), this.tokenizer, { seqLen: this.seqLen, maxTokens: NEURON_TOKENS }).windows]),
    );
    return this.#calibration;
  }

  languageNeurons(): Promise<LanguageNeurons> {
    const byLanguage = this.#calibrationWindows();
    return this.#detect('language-neurons', byLanguage, (model) => languageNeurons(model, byLanguage, { batchSize: this.options.batchSize }), {
      // Float32Array ↔ number[]: float32 values survive JSON exactly.
      encode: (v) => ({ ...v, probabilities: Object.fromEntries(Object.entries(v.probabilities).map(([l, p]) => [l, Array.from(p)])) }),
      decode: (v) => {
        const r = v as LanguageNeurons & { probabilities: Record<string, number[]> };
        return { ...r, probabilities: Object.fromEntries(Object.entries(r.probabilities).map(([l, p]) => [l, Float32Array.from(p)])) };
      },
    });
  }

  languageNeuronRegion(language: string): Promise<Region> {
    return this.#memoRegion(JSON.stringify(['neurons', language]), async () => {
      if (!this.options.regionLanguages.includes(language)) {
        throw new RegionsOptionsError('option "regionLanguages"', `language neurons are selected among the region languages (${this.options.regionLanguages.join(', ')}); "${language}" is not one`);
      }
      const found = await this.languageNeurons();
      const mine = found.neurons.filter((n) => n.languages.includes(language));
      return neuronRegion(this.config, mine, language, { detector: 'LAPE (Tang et al. 2024)', text: `the first ${NEURON_TOKENS} tokens of each region language's training text` });
    });
  }

  importance(language: string): Promise<ImportanceMap> {
    return this.#importanceOf([language])[0]!;
  }

  async coreImportance(): Promise<ImportanceMap> {
    const languages = this.options.regionLanguages;
    const maps = await Promise.all(this.#importanceOf(languages));
    return sumImportance(new Map(languages.map((l, i) => [l, maps[i]!])), languages);
  }

  #memoRegion(key: string, make: () => Promise<Region>): Promise<Region> {
    let p = this.#regions.get(key);
    if (p === undefined) {
      p = make();
      p.catch(() => this.#regions.delete(key));
      this.#regions.set(key, p);
    }
    return p;
  }

  region(request: RegionRequest): Promise<Region> {
    const fraction = request.fraction ?? this.thresholds.coreRegion.fraction;
    const seed = request.seed ?? 0;
    const source = request.source ?? 'gradient';
    if (request.kind === 'random' && source !== 'gradient') {
      return Promise.reject(new TypeError(`a random region is drawn without importance: { kind: 'random' } takes no source (got ${JSON.stringify(source)})`));
    }
    const key = JSON.stringify([request.kind, fraction, request.kind === 'random' ? seed : null, source]);
    return this.#memoRegion(key, async () => {
      if (request.kind === 'random') return selectRegion(shapeOnlyImportance(this.model), { kind: 'random', fraction, seed });
      if (source === 'wanda') return { ...selectRegion(await this.wandaImportance(), { kind: request.kind, fraction }), kind: `wanda:${request.kind}` };
      return selectRegion(await this.coreImportance(), { kind: request.kind, fraction });
    });
  }

  wandaImportance(): Promise<ImportanceMap> {
    this.#wanda ??= (async () => {
      this.#open();
      if (!isObservable(this.model)) throw new Error(`wandaImportance: the engine's model (${this.engine.name}) offers no linear inputs to observe`);
      const model = this.model;
      const languages = this.options.regionLanguages;
      const windows = Object.values(this.#calibrationWindows()).flat();
      // The batch size is in the key: Σx² is summed per pass, then across passes.
      const key = jsonHash({ importance: 'wanda', revision: DETECT_REVISION, checkpoint: this.hash, windows: sha256(JSON.stringify(windows)), batchSize: this.options.batchSize, engine: this.engine.name, device: this.engine.device });
      const file = join(this.options.cacheDir, 'wanda', `wanda-${key}.safetensors`);
      if (this.options.cache && existsSync(file)) {
        try {
          const map = loadImportance(file);
          if (map.provenance.cache_key === key) return map;
        } catch {
          // damaged: recomputed and overwritten below
        }
      }
      this.progress.start('Wanda importance', 1, 'passes');
      const map = await wandaImportance(model, windows, {
        batchSize: this.options.batchSize,
        languages,
        provenance: { checkpoint: this.hash, text: `the first ${NEURON_TOKENS} tokens of each region language's training text`, cache_key: key },
      });
      this.progress.finish();
      if (this.options.cache) {
        mkdirSync(dirname(file), { recursive: true });
        saveImportance(file, map);
      }
      return map;
    })();
    this.#wanda.catch(() => (this.#wanda = undefined));
    return this.#wanda;
  }

  coreRegion(fraction?: number): Promise<Region> {
    return this.region({ kind: 'top', ...(fraction !== undefined && { fraction }) });
  }

  monolingualRegion(language: string, fraction = this.thresholds.monolingual.fraction): Promise<Region> {
    return this.#memoRegion(JSON.stringify(['monolingual', language, fraction]), async () => {
      const languages = [...new Set([language, ...this.options.regionLanguages])];
      if (languages.length < 2) {
        throw new RegionsOptionsError('option "regionLanguages"', `a monolingual region of "${language}" needs at least one other language to subtract`);
      }
      const maps = await Promise.all(this.#importanceOf(languages));
      return monolingualRegion(new Map(languages.map((l, i) => [l, maps[i]!])), language, fraction);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#release();
  }
}
