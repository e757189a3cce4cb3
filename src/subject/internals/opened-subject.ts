/**
 * The implementation of {@link CheckpointSubject}: memoised in memory, cached on disk under the subject's
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
import { DETECT_REVISION, delimiterTest, type MassiveActivations, type SuperWeights } from '../../detect/activations.js';
import { detector, type DetectorDeclaration, type Probe } from '../../detect/registry.js';
import { residualMeans, type ResidualMeans } from '../../dims/mean-ablation.js';
import type { EngineInfo } from '../../engine/select.js';
import { describe, parsePerturbation, type PerturbationInput } from '../../perturb/perturbation.js';
import { assertApplicable, withPerturbation } from '../../perturb/with-perturbation.js';
import { monolingualRegion } from '../../regions/monolingual.js';
import { neuronRegion } from '../../regions/neurons.js';
import type { LanguageNeurons } from '../../detect/language-neurons.js';
import { inTransformerLayers, selectRegion } from '../../regions/select.js';
import { sumImportance } from '../../regions/sum.js';
import type { Region } from '../../regions/types.js';
import type { ImportanceMap } from '../../importance/types.js';
import type { TextTokenizer } from '../../tokenizer/tokenizer.js';
import { RegionsOptionsError, type ResolvedRegionsOptions } from '../options.js';
import { SpecProgress } from '../progress.js';
import type { CheckpointSubject, RegionDefaults, RegionRequest, SubjectModel } from '../types.js';
import { regionHash } from '../../regions/hash.js';
import { JsonCache } from '../../cache/json-cache.js';
import { ByteLru } from '../../util/lru.js';
import { cacheKey, windowsHash, type CacheKeyInputs } from '../../cache/key.js';

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

const regionBytes = (r: Region): number => [...r.masks.values()].reduce((n, m) => n + m.data.byteLength, 0);
const importanceBytes = (m: ImportanceMap): number => [...m.scores.values()].reduce((n, t) => n + t.data.byteLength, 0);

/** A subject over a loaded model. Built by `openSubject`, which validates everything first. */
/** Tokens of each region language's training text the language-neuron detector (LAPE) reads. */
export const NEURON_TOKENS = 16_384;
/** Full windows of each region language's evaluation text the activation detectors' probe takes. */
export const PROBE_WINDOWS = 4;

export class OpenedSubject implements CheckpointSubject {
  readonly label: string;
  readonly seqLen: number;
  readonly cache: JsonCache;
  readonly progress = new SpecProgress();
  readonly #baseline = new Map<string, Promise<LanguagePerplexity>>();
  readonly #windows = new Map<string, TextWindows>();
  readonly #train = new Map<string, string>();
  /** Importance maps by language: room for the region languages' (what the memory check counts) and one more. */
  readonly #importance: ByteLru<string, ImportanceMap>;
  /** Regions by request: a property sweep asks for one per (fraction, seed) it tries, each a byte per parameter. */
  /** The most bytes of regions a subject keeps in memory (the least recently used go first); read when one opens. */
  static regionMemoBytes = 512 * 2 ** 20;
  readonly #regions = new ByteLru<string, Region>(OpenedSubject.regionMemoBytes, regionBytes);
  readonly #detectors = new Map<string, Promise<unknown>>();
  #means: Promise<ResidualMeans> | undefined;
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
    readonly regionDefaults: RegionDefaults,
    readonly engine: EngineInfo,
    release: () => Promise<void>,
  ) {
    this.#release = release;
    this.label = `${basename(options.checkpoint)} (sha256 ${hash.slice(0, 12)})`;
    this.seqLen = Math.min(options.seqLen, config.maxPositionEmbeddings);
    this.cache = new JsonCache(join(options.cacheDir, 'results'), options.cache);
    const parameters = model.weightNames().reduce((n, name) => n + model.weightShape(name).reduce((a, b) => a * b, 1), 0);
    this.#importance = new ByteLru((options.regionLanguages.length + 1) * parameters * 4, importanceBytes);
  }

  /** Bytes the in-memory memos hold now (importance maps and regions). */
  get memoBytes(): { importance: number; regions: number } {
    return { importance: this.#importance.bytes, regions: this.#regions.bytes };
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

  /** The engine, as cache keys record it. */
  get #engineKey(): CacheKeyInputs['engine'] {
    return { name: this.engine.name, device: this.engine.device };
  }

  /** The cache key inputs of `language`'s perplexity under `perturbation` (null: none). */
  #perplexityKey(language: string, perturbation: unknown): CacheKeyInputs {
    const { windows, bytes } = this.evalWindows(language);
    return {
      computation: 'perplexity',
      checkpoint: this.hash,
      windows: windowsHash(windows),
      engine: this.#engineKey,
      // `record`: the cached value holds each window's NLL (what the intervals resample), not only the totals.
      settings: { language, bytes, batchSize: this.options.batchSize, perturbation, record: 'per-window' },
    };
  }

  /** The perplexity of `language` on `model`: the subject's own, or a perturbed view of it. */
  async #measure(language: string, model: SubjectModel = this.model): Promise<LanguagePerplexity> {
    const { windows, bytes } = this.evalWindows(language);
    return windowsPerplexity(model, windows, bytes, { batchSize: this.options.batchSize });
  }

  async baseline(languages: readonly string[] = this.languages): Promise<Record<string, LanguagePerplexity>> {
    this.#open();
    const out: Record<string, LanguagePerplexity> = {};
    for (const language of languages) {
      let p = this.#baseline.get(language);
      if (p === undefined) {
        p = this.cache.getOrCompute(this.#perplexityKey(language, null), () => this.#measure(language));
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
    const what = (language: string) => this.#perplexityKey(language, key);
    const out: Record<string, LanguagePerplexity> = {};
    for (const language of languages) {
      const stored = this.cache.read<LanguagePerplexity>(what(language));
      if (stored !== undefined) out[language] = stored;
    }
    const missing = languages.filter((l) => out[l] === undefined);
    if (missing.length > 0) {
      // One perturbation for every language still to measure: applying it costs as much as a forward pass on a big model.
      this.progress.start(list.map((p) => describe(parsePerturbation(p))).join(' + '), missing.length, 'languages');
      // On a view of the model with the perturbation in place: the subject's own model never changes, so a
      // measurement that overlaps this one (Promise.all, test.concurrent) reads the weights it asked for.
      await withPerturbation(this.model, list, async (perturbed) => {
        for (const language of missing) {
          this.progress.check();
          out[language] = await this.#measure(language, perturbed);
          this.cache.write(what(language), out[language]);
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
    const memo = new Map(languages.map((l) => [l, this.#importance.get(l)]));
    const missing = languages.filter((l) => memo.get(l) === undefined);
    if (missing.length > 0) {
      const texts = missing.map((l) => this.trainText(l)); // fail on a missing text before any work
      const all = this.#computeImportance(missing, texts);
      missing.forEach((l, i) => memo.set(l, this.#importance.getOrSet(l, () => all.then((maps) => maps[i]!))));
    }
    return languages.map((l) => memo.get(l)!);
  }

  async #computeImportance(languages: readonly string[], texts: readonly string[]): Promise<ImportanceMap[]> {
    this.#open();
    const { batchSize } = this.options;
    const model = this.model;
    const engine: LazyEngine = {
      shapes: new Map(model.weightNames().map((n) => [n, [...model.weightShape(n)]])),
      engine: this.#engineKey,
      // ONNX Runtime computes the gradients on its intra-op threads; a tfjs model in the test's own thread.
      start: async (): Promise<ImportanceEngine> => model,
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
          onProgress: (done, total) => {
            for (const listener of this.#importanceListeners) listener(language, done, total);
          },
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
   * A detector's result (../../detect/registry.ts), memoised and cached on disk by a content hash of the
   * checkpoint, the detector (and its revision), the probe it reads (its windows, by language where it compares
   * languages) and the engine; its codec turns it to JSON and back.
   */
  #detect<T>(d: DetectorDeclaration<string, T>, probe: Probe): Promise<T> {
    const { name, codec } = d;
    let p = this.#detectors.get(name) as Promise<T> | undefined;
    if (p === undefined) {
      p = (async () => {
        this.#open();
        const model = this.model;
        const what: CacheKeyInputs = {
          computation: 'detect',
          checkpoint: this.hash,
          // By language where the detector compares languages: the same windows under other names are another probe.
          windows: probe.kind === 'windows' ? windowsHash(probe.windows) : Object.fromEntries(Object.entries(probe.windows).map(([l, w]) => [l, windowsHash(w)])),
          engine: this.#engineKey,
          settings: { detector: name, detectRevision: d.revision, batchSize: this.options.batchSize },
        };
        const stored = this.cache.read<unknown>(what);
        if (stored !== undefined) return codec === undefined ? (stored as T) : codec.decode(stored);
        this.progress.start(`detect ${name}`, 1, 'passes');
        const value = await d.run(model, probe, { isDelimiter: delimiterTest((ids) => this.tokenizer.decode(ids)), batchSize: this.options.batchSize });
        this.progress.finish();
        this.cache.write(what, codec === undefined ? value : codec.encode(value));
        return value;
      })();
      p.catch(() => this.#detectors.delete(name));
      this.#detectors.set(name, p);
    }
    return p;
  }

  massiveActivations(): Promise<MassiveActivations> {
    return this.#detect(detector('massive-activations'), { kind: 'windows', windows: this.probeWindows() });
  }

  /**
   * Memoised, not on disk: one forward pass over the probe, cheaper than any perplexity measured beside it
   * (the mean-ablation it serves is measured as two perplexities over the finding's languages).
   */
  residualMeans(): Promise<ResidualMeans> {
    if (this.#means === undefined) {
      this.#open();
      const p = residualMeans(this.model, this.probeWindows());
      p.catch(() => (this.#means = undefined));
      this.#means = p;
    }
    return this.#means;
  }

  superWeights(): Promise<SuperWeights> {
    return this.#detect(detector('super-weights'), { kind: 'windows', windows: this.probeWindows() });
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
    return this.#detect(detector('language-neurons'), { kind: 'by-language', windows: this.#calibrationWindows() });
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

  readonly #importanceListeners = new Set<(language: string, done: number, total: number) => void>();

  onImportanceProgress(listener: (language: string, done: number, total: number) => void): () => void {
    this.#importanceListeners.add(listener);
    return () => this.#importanceListeners.delete(listener);
  }

  async coreImportance(): Promise<ImportanceMap> {
    const languages = this.options.regionLanguages;
    const maps = await Promise.all(this.#importanceOf(languages));
    return sumImportance(new Map(languages.map((l, i) => [l, maps[i]!])), languages);
  }

  #memoRegion(key: string, make: () => Promise<Region>): Promise<Region> {
    return this.#regions.getOrSet(key, make);
  }

  region(request: RegionRequest): Promise<Region> {
    const fraction = request.fraction ?? this.regionDefaults.core;
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
      const model = this.model;
      const languages = this.options.regionLanguages;
      const windows = Object.values(this.#calibrationWindows()).flat();
      // The batch size is in the key: Σx² is summed per pass, then across passes.
      const key = cacheKey({
        computation: 'wanda',
        checkpoint: this.hash,
        windows: windowsHash(windows),
        engine: this.#engineKey,
        settings: { detectRevision: DETECT_REVISION, batchSize: this.options.batchSize },
      });
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
        try {
          mkdirSync(dirname(file), { recursive: true });
          saveImportance(file, map);
        } catch (err) {
          this.cache.warn(`regions: could not write the Wanda cache file ${file} (${(err as Error).message}); the map is used but not cached`);
        }
      }
      return map;
    })();
    this.#wanda.catch(() => (this.#wanda = undefined));
    return this.#wanda;
  }

  coreRegion(fraction?: number): Promise<Region> {
    return this.region({ kind: 'top', ...(fraction !== undefined && { fraction }) });
  }

  monolingualRegion(language: string, fraction = this.regionDefaults.monolingual): Promise<Region> {
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
