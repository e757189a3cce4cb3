/**
 * What a subject is: the interface of a checkpoint opened for measuring, the region requests it takes and its
 * defaults. ./subject.ts opens one; ./internals/opened-subject.ts implements it.
 */
import type { ModelConfig } from '../checkpoint/config.js';
import type { HostTensor } from '../checkpoint/types.js';
import type { TextWindows } from '../corpus/windows.js';
import type { LanguagePerplexity } from '../metrics/perplexity.js';
import type { EngineInfo, EngineModel } from '../engine/select.js';
import type { PerturbationInput } from '../perturb/perturbation.js';
import type { MassiveActivations, SuperWeights } from '../detect/activations.js';
import type { LanguageNeurons } from '../detect/language-neurons.js';
import type { ResidualMeans } from '../dims/mean-ablation.js';
import type { Region } from '../regions/types.js';
import type { ImportanceMap } from '../importance/types.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';
import type { JsonCache } from '../cache/json-cache.js';
import type { SpecProgress } from './progress.js';
import type { ResolvedRegionsOptions } from './options.js';

/** The paper's k: 1% of each weight matrix (the default of every region size). */
export const PAPER_FRACTION = 0.01;

/** The region sizes a subject uses when a call names none (the thresholds file's, where the findings open it). */
export interface RegionDefaults {
  /** k of {@link CheckpointSubject.coreRegion} and {@link CheckpointSubject.region}. */
  core: number;
  /** k of {@link CheckpointSubject.monolingualRegion}. */
  monolingual: number;
}

/** What the subject measures on: forward passes, and weights that perturbations replace (ONNX Runtime or tfjs). */
export type SubjectModel = EngineModel;

/** A region chosen by the subject from its own importance: the paper's top (core) / bottom / random k per matrix. */
export interface RegionRequest {
  kind: 'top' | 'bottom' | 'random';
  /** k per weight matrix (default: the subject's {@link RegionDefaults}, the thresholds file's `coreRegion.fraction`). */
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
export interface CheckpointSubject {
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
  /** The region sizes used when a call names none. */
  readonly regionDefaults: RegionDefaults;
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
  /**
   * Calls `listener(language, windows done, windows total)` as importance is computed (not when it is read from the
   * cache), after each batch; returns the function that stops it. The cache warm-up prints it with a time left.
   */
  onImportanceProgress(listener: (language: string, done: number, total: number) => void): () => void;
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
  /** L's top-k minus the union of the other region languages' top-k (default k: {@link RegionDefaults.monolingual}). */
  monolingualRegion(language: string, fraction?: number): Promise<Region>;
  /** The activation detectors' probe: the first 4 full windows of each region language's evaluation text. */
  probeWindows(): number[][];
  /** The massive-activation profile per layer on {@link probeWindows} (Sun et al.'s criterion). On every engine; cached on disk. */
  massiveActivations(): Promise<MassiveActivations>;
  /** The residual stream's mean per dim on {@link probeWindows}, at the first position and the others: what mean-ablation sets (../dims/mean-ablation.ts). On every engine. */
  residualMeans(): Promise<ResidualMeans>;
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
