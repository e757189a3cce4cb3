/**
 * The checkpoint under test, opened once and measured many times: the model on the chosen backend, its
 * tokenizer, the evaluation texts, and everything derived from them — baseline perplexity, importance,
 * regions — each computed once, kept in memory, and cached on disk by a content hash of exactly what
 * determines it. The vitest fixture `subject` is one of these; scripts get one with {@link openSubject}.
 * No vitest imports here.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readModelConfig, type ModelConfig } from '../checkpoint/config.js';
import { checkpointHash } from '../checkpoint/hash.js';
import { loadCheckpoint } from '../checkpoint/load.js';
import type { HostTensor } from '../checkpoint/types.js';
import { readTexts } from '../corpus/texts.js';
import type { TextWindows } from '../corpus/windows.js';
import type { LanguagePerplexity } from '../metrics/perplexity.js';
import { assertFits, IMPORTANCE_PASS, type AvailableMemory } from '../engine/memory.js';
import { isTfjsBackend, openForward, resolveEngineName, type EngineInfo, type EngineModel } from '../engine/select.js';
import type { PerturbationInput } from '../perturb/perturbation.js';
import type { MassiveActivations, SuperWeights } from '../detect/activations.js';
import type { LanguageNeurons } from '../detect/language-neurons.js';
import type { Region } from '../regions/types.js';
import type { ImportanceMap } from '../importance/types.js';
import { loadTokenizer, type TextTokenizer } from '../tokenizer/tokenizer.js';
import type { JsonCache } from '../cache/json-cache.js';
import { OpenedSubject } from './internals/opened-subject.js';
import type { SpecProgress } from './progress.js';
import {
  checkpointSource,
  isResolvedOptions,
  resolveRegionsOptions,
  RegionsOptionsError,
  type RegionsOptions,
  type ResolvedRegionsOptions,
} from './options.js';
import { DEFAULT_THRESHOLDS, loadThresholds, type Thresholds } from './thresholds.js';

/** The thresholds file looked for in the checkpoint folder when the `thresholds` option is not given. */
export const THRESHOLDS_FILE = 'regions.thresholds.json';

/** What the subject measures on: forward passes, and weights that perturbations replace (ONNX Runtime or tfjs). */
export type SubjectModel = EngineModel;

/** A region chosen by the subject from its own importance: the paper's top (core) / bottom / random k per matrix. */
export interface RegionRequest {
  kind: 'top' | 'bottom' | 'random';
  /** k per weight matrix (default: the thresholds file's `coreRegion.fraction`, the paper's 1%). */
  fraction?: number;
  /** Seed of a random region (default 0). */
  seed?: number;
  /**
   * Which importance ranks a top/bottom region: `gradient` (default), the paper's summed |θ ⊙ ∇L| over the
   * region languages; `wanda`, Wanda's |W|·‖X‖₂ (forward only; region kind `wanda:top` / `wanda:bottom`).
   */
  source?: 'gradient' | 'wanda';
}

/** A checkpoint opened for measuring. Every number it returns is a pure function of (checkpoint, texts, settings). */
export interface RegionsSubject {
  /** The settings it was opened with. */
  readonly options: ResolvedRegionsOptions;
  /** Absolute checkpoint folder. */
  readonly dir: string;
  /** Content hash of the checkpoint (config, weights, tokenizer). */
  readonly hash: string;
  readonly config: ModelConfig;
  /** The model on {@link engine}, as the checkpoint holds it: `withPerturbation` measures a perturbed view of it, never changing it. */
  readonly model: SubjectModel;
  readonly tokenizer: TextTokenizer;
  /** Evaluation text by language. */
  readonly texts: ReadonlyMap<string, string>;
  /** Languages measured by default: the `languages` option, else every evaluation text. */
  readonly languages: readonly string[];
  /** The thresholds that apply to this checkpoint (file, else the paper's defaults). */
  readonly thresholds: Thresholds;
  /** The file they came from, or null for the defaults. */
  readonly thresholdsFile: string | null;
  /** The engine that runs forward passes and importance: ONNX Runtime unless a tfjs backend was asked for. */
  readonly engine: EngineInfo;
  /** Tokens per window (the `seqLen` option capped at max_position_embeddings). */
  readonly seqLen: number;
  /** Disk cache of JSON results under `<cacheDir>/results` (measure/ uses it for expensive runs). */
  readonly cache: JsonCache;
  /** "polyglot-v2 (sha256 1a2b3c4d5e6f)". */
  readonly label: string;
  /** What the running spec has measured, and its time budget (see ./budget.ts); each unit of work reports to it. */
  readonly progress: SpecProgress;

  /** The training text of a language (`<trainTexts>/<lang>.txt`): importance and further pre-training read it. */
  trainText(language: string): string;
  /** Held-out text of the language's training domain (`<heldoutTexts>/<lang>.txt`), or null where there is none. */
  heldoutText(language: string): string | null;
  /** The evaluation windows of a language: its first `evalTokens` tokens in BOS-led windows of `seqLen`. */
  evalWindows(language: string): TextWindows;
  /** Perplexity of the unperturbed model per language (default {@link languages}). */
  baseline(languages?: readonly string[]): Promise<Record<string, LanguagePerplexity>>;
  /** Perplexity per language with the perturbation(s) applied (the model is restored afterwards). */
  perplexity(perturbation: PerturbationInput | readonly PerturbationInput[], languages?: readonly string[]): Promise<Record<string, LanguagePerplexity>>;
  /** |θ ⊙ g| of every weight for one language, on its training text. */
  importance(language: string): Promise<ImportanceMap>;
  /** The importance the core region is chosen by: the sum over `regionLanguages`. */
  coreImportance(): Promise<ImportanceMap>;
  /** The core region: top-k of {@link coreImportance} per matrix inside the transformer layers. */
  coreRegion(fraction?: number): Promise<Region>;
  /**
   * Wanda's importance |W|·‖X‖₂ (Sun et al. 2023) of every linear weight, on the first 16,384 tokens of each
   * region language's training text. On every engine; cached on disk by content hash.
   */
  wandaImportance(): Promise<ImportanceMap>;
  /** A top, bottom or random region of k per matrix (by the gradient importance, or Wanda's). A random one needs no importance. */
  region(request: RegionRequest): Promise<Region>;
  /** L's top-k minus the union of the other region languages' top-k (default k: `monolingual.fraction`). */
  monolingualRegion(language: string, fraction?: number): Promise<Region>;
  /** The activation detectors' probe: the first 4 full windows of each region language's evaluation text. */
  probeWindows(): number[][];
  /** The massive-activation profile per layer on {@link probeWindows} (Sun et al.'s criterion). On every engine; cached on disk. */
  massiveActivations(): Promise<MassiveActivations>;
  /** The super-weight candidates on {@link probeWindows} (Yu et al.'s down_proj spikes). On every engine; cached on disk. */
  superWeights(): Promise<SuperWeights>;
  /**
   * The residual stream's three largest dims entering decoder layer `layer` (after the embedding for 0), by
   * {@link massiveActivations}: the candidates "whatever dimension the detector finds".
   */
  detectedDims(layer: number): Promise<number[]>;
  /**
   * The language-specific FFN neurons among the region languages by LAPE (../detect/language-neurons.ts), on the
   * first 16,384 tokens of each one's training text, with the authors' defaults. On every engine; cached on disk.
   */
  languageNeurons(): Promise<LanguageNeurons>;
  /** The whole FFN neurons LAPE assigns to `language` (a region language), as a region (kind neurons:<language>). */
  languageNeuronRegion(language: string): Promise<Region>;
  /** The weights on the host (training copies them). Never write them. */
  hostWeights(): Promise<Map<string, HostTensor>>;
  /** Frees the engine's sessions or tensors. The subject is unusable afterwards. */
  close(): Promise<void>;
}

function checkFolder(options: ResolvedRegionsOptions): void {
  const dir = options.checkpoint;
  const source = checkpointSource(options);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RegionsOptionsError(source, `checkpoint folder not found: ${dir}`);
  if (!existsSync(join(dir, 'config.json'))) throw new RegionsOptionsError(source, `${dir} is not a checkpoint: config.json is missing`);
}

function thresholdsOf(options: ResolvedRegionsOptions): { thresholds: Thresholds; file: string | null } {
  const file = options.thresholds ?? join(options.checkpoint, THRESHOLDS_FILE);
  if (options.thresholds === null && !existsSync(file)) return { thresholds: DEFAULT_THRESHOLDS, file: null };
  try {
    return { thresholds: loadThresholds(file), file };
  } catch (err) {
    throw new RegionsOptionsError('option "thresholds"', (err as Error).message);
  }
}

function readEvalTexts(options: ResolvedRegionsOptions): Map<string, string> {
  const folderOk = existsSync(options.texts) && statSync(options.texts).isDirectory();
  try {
    return readTexts(options.texts, options.languages);
  } catch (err) {
    // A missing folder is the `texts` option's fault; a missing language, the `languages` option's.
    throw new RegionsOptionsError(folderOk && options.languages !== undefined ? 'option "languages"' : 'option "texts"', (err as Error).message);
  }
}

/**
 * Refuses, from config.json alone, a checkpoint whose subject would not fit in memory: it holds the weights
 * (twice while a tfjs backend uploads them), one importance map per region language, and one importance pass
 * with a batch's activations — the pass the CLI's `regions importance` checks for (../engine/memory.ts).
 */
function checkMemory(o: ResolvedRegionsOptions, available: number | AvailableMemory | undefined): void {
  const config = readModelConfig(join(o.checkpoint, 'config.json'));
  const onTfjs = isTfjsBackend(resolveEngineName(o.backend ?? 'auto'));
  const languages = o.regionLanguages.length;
  assertFits(o.checkpoint, config, {
    copies: onTfjs ? 2 : 1,
    copiesAre: onTfjs ? 'the weights, twice while tfjs uploads them' : 'the weights',
    also: [{ what: `${languages} importance maps (one per region language)`, copies: languages }, IMPORTANCE_PASS],
    tokens: o.batchSize * Math.min(o.seqLen, config.maxPositionEmbeddings),
    available,
  });
}

/**
 * Opens the checkpoint under test: checks that it fits in memory, starts the backend, loads and hashes the
 * checkpoint, its tokenizer, the evaluation texts and the thresholds. Takes the plugin's options (resolved
 * against the working directory and the environment, as the plugin does) or the resolved options a test
 * worker received. Call `close()` when done (the vitest fixture does). `machine.available` replaces the
 * memory this process can take (default: MemAvailable or the cgroup's limit, whichever is lower).
 * @throws RegionsOptionsError naming the option at fault (a missing folder, text, tokenizer, bad thresholds);
 *   CheckpointError naming the checkpoint and the memory it needs, part by part, when it would not fit.
 */
export async function openSubject(
  options: RegionsOptions | ResolvedRegionsOptions,
  machine: { available?: number | AvailableMemory } = {},
): Promise<RegionsSubject> {
  const o = isResolvedOptions(options) ? options : resolveRegionsOptions(options);
  checkFolder(o);
  const { thresholds, file } = thresholdsOf(o);
  for (const finding of ['monolingual', 'languageNeurons'] as const) {
    for (const language of Object.keys(thresholds[finding].expectedFor)) {
      if (!o.regionLanguages.includes(language)) {
        throw new RegionsOptionsError(
          'option "thresholds"',
          `${file ?? 'thresholds'}: ${finding}.expectedFor.${language}: "${language}" is not a region language (${o.regionLanguages.join(', ')})`,
        );
      }
    }
  }
  const texts = readEvalTexts(o);
  const requested = o.backend ?? 'auto';
  const source = checkpointSource(o);
  checkMemory(o, machine.available);
  const checkpoint = loadCheckpoint(o.checkpoint);
  if (checkpoint.tokenizerFile === null) {
    throw new RegionsOptionsError(source, `${o.checkpoint} has no tokenizer.json: the matchers need one to turn texts into tokens`);
  }
  const { config } = checkpoint;
  const tokenizer = loadTokenizer(checkpoint.tokenizerFile, { bosId: config.bosTokenId, eosId: config.eosTokenId });
  if (tokenizer.bosId === null) throw new RegionsOptionsError(source, `${checkpoint.tokenizerFile} has no BOS token, and every window starts with one`);
  const hash = checkpointHash(o.checkpoint);
  const opened = await openForward(config, checkpoint.weights, requested, { threads: o.threads });
  if (opened.info.engine === 'tfjs') checkpoint.weights.clear(); // the tfjs model holds them now
  return new OpenedSubject(o, hash, config, opened.model, tokenizer, texts, thresholds, file, opened.info, opened.close);
}
