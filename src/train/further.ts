/**
 * Further pre-training on one new language with a frozen region, measuring how much every language
 * forgets along the way — the paper's finding 4 ("freezing the core region mitigates catastrophic
 * forgetting"). The authors put the region's entries back after every optimizer step; here they are
 * masked out of the AdamW update (never written by AdamW (./adam.ts)), which leaves them bit-identical.
 * Runs on ONNX Runtime ({@link Trainer}).
 */
import { z } from 'zod';
import { expectedWeightShapes, type ModelConfig } from '../checkpoint/config.js';
import type { HostTensor } from '../checkpoint/types.js';
import { textWindows } from '../corpus/windows.js';
import { fromWindowNll, type LanguagePerplexity } from '../metrics/perplexity.js';
import type { Region } from '../regions/types.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';
import type { AdamOptions } from './adam.js';
import { sha256 } from '../util/hash.js';
import { frozenMasks, regionDigest, zeroMasked, type RegionDigest } from './internals/freeze.js';
import { WindowSampler } from './sampler.js';
import { learningRate } from './schedule.js';
import { Trainer } from './trainer.js';
import { firstIssue, shown } from '../util/zod-issue.js';
import { interruptible, type InterruptCheck } from '../util/interrupt.js';

/** A text in one language (ISO 639-1 code, as the paper's languages are named). */
export interface LanguageText {
  language: string;
  text: string;
}

/** Settings of {@link furtherPretrain}. Defaults are the paper's where it gives them. */
export interface FurtherPretrainOptions {
  /** Turns texts into token ids; must have a BOS token (every window starts with one). */
  tokenizer: TextTokenizer;
  /** The new language's training text (the paper: Chinese). Windows are drawn from it at random. */
  train: LanguageText;
  /**
   * Held-out texts whose perplexity is measured at each step of `evalAt`: the languages whose forgetting
   * is measured (the paper: English) and, ideally, a held-out text of the trained language. When the
   * trained language is not among them, its training text is measured instead
   * ({@link ForgettingCurve.trainedLanguageHeldOut} is then false).
   */
  evaluate: LanguageText[];
  /** Optimizer steps (≥ 0). */
  steps: number;
  /** Peak learning rate (default 5e-5, the paper's). Constant after the warmup. */
  lr?: number;
  /** Windows per step (default 8; the authors' batch size is unconfirmed). */
  batch?: number;
  /** Tokens per window incl. BOS, for training and evaluation (default 512, the paper's, capped at max_position_embeddings). */
  seqLen?: number;
  /** Decoupled AdamW weight decay (default 0.001, the paper's); never applied to norms or biases. */
  weightDecay?: number;
  /** Steps of linear learning-rate warmup (default 0). */
  warmup?: number;
  /** Global gradient-norm clip (default 1, HF Trainer's; 0 = none). */
  clipNorm?: number;
  /**
   * Region whose entries are kept fixed (null/absent: nothing frozen). Masks of norm weights are dropped —
   * the paper never freezes norms — and reported in {@link ForgettingCurve.droppedNormMasks}.
   */
  freeze?: Region | null;
  /** The authors' variant: set the region's entries to 0 before training, and keep them at 0. Needs `freeze`. */
  zeroFrozen?: boolean;
  /** Steps after which perplexity is measured, each in [0, steps]; 0 = before training (default [0, steps]). */
  evalAt?: number[];
  /** Text tokens measured per evaluated language (default 8192). */
  evalMaxTokens?: number;
  /** Seeds the training windows drawn. */
  seed: number;
  /** ONNX Runtime intra-op threads (default 2). Results are bit-reproducible for a fixed count only. */
  threads?: number;
  /** Engine: `auto`, `ort`, `ort-cpu`, `ort-webgpu`, `ort-cuda` (default: REGIONS_BACKEND, else auto). */
  engine?: string;
  /** Called after every step. */
  onProgress?: (step: number, total: number, loss: number) => void;
  /**
   * Called after each measurement, with the weights being trained (read them there and then: the next
   * step changes them in place): to save intermediate checkpoints or check what froze.
   */
  onEval?: (step: number, weights: ReadonlyMap<string, HostTensor>) => void | Promise<void>;
}

/** {@link FurtherPretrainOptions} as a curve records them: every default filled in, texts as sha256 of their UTF-8. */
export interface FurtherPretrainSettings {
  train: { language: string; sha256: string };
  evaluate: { language: string; sha256: string }[];
  steps: number;
  lr: number;
  batch: number;
  seqLen: number;
  weightDecay: number;
  warmup: number;
  clipNorm: number;
  freeze: RegionDigest | null;
  zeroFrozen: boolean;
  evalAt: number[];
  evalMaxTokens: number;
  seed: number;
  threads: number;
  /** The engine that ran (never "auto"), e.g. ort-cpu. */
  backend: string;
}

/** Perplexity of every measured language after `step` optimizer steps (`samples` = step × batch windows). */
export interface ForgettingPoint {
  step: number;
  samples: number;
  perplexity: Record<string, LanguagePerplexity>;
}

/** What {@link furtherPretrain} measured: a JSON-serialisable record. */
export interface ForgettingCurve {
  /** One per step of `evalAt`, in increasing step order. */
  points: ForgettingPoint[];
  /** Mean training NLL (nats/token) of each step's windows, before that step's update; index 0 = step 1. */
  trainLoss: number[];
  /** Entries kept fixed (the region without its norm-weight entries); 0 without a region. */
  frozenEntries: number;
  /** Norm weights whose region masks were dropped (never frozen). */
  droppedNormMasks: string[];
  /** Region entries in those norm weights. */
  droppedNormEntries: number;
  /** Whether the trained language was measured on a held-out text (false: on its training text). */
  trainedLanguageHeldOut: boolean;
  settings: FurtherPretrainSettings;
  /** Where it ran, in words, e.g. 'CPU: … (ONNX Runtime 1.x, cpu execution provider, 2 threads)'. */
  device: string;
  seconds: number;
}

const PAPER = { lr: 5e-5, weightDecay: 0.001, seqLen: 512 } as const;

const textSchema = z.object({
  language: z.string().min(1, 'must be a language code'),
  text: z.string('must be a string'),
});

const settingsSchema = z.object({
  train: textSchema,
  evaluate: z.array(textSchema, 'must be an array of { language, text }'),
  steps: z.number('must be a number').int('must be a whole number').min(0, 'must be ≥ 0'),
  lr: z.number('must be a number').positive('must be > 0').default(PAPER.lr),
  batch: z.number().int('must be a whole number').min(1, 'must be ≥ 1').default(8),
  seqLen: z.number().int('must be a whole number').min(2, 'must be ≥ 2').optional(),
  weightDecay: z.number().min(0, 'must be ≥ 0').default(PAPER.weightDecay),
  warmup: z.number().int('must be a whole number').min(0, 'must be ≥ 0').default(0),
  clipNorm: z.number().min(0, 'must be ≥ 0').default(1),
  zeroFrozen: z.boolean().default(false),
  evalAt: z.array(z.number().int('must be a whole number').min(0, 'must be within [0, steps]')).optional(),
  evalMaxTokens: z.number().int('must be a whole number').min(1, 'must be ≥ 1').default(8192),
  seed: z.number('must be a number').int('must be a whole number'),
  threads: z.number().int('must be a whole number').min(1, 'must be ≥ 1').default(2),
  engine: z.string().optional(),
});

function fail(field: string, message: string): never {
  throw new Error(`furtherPretrain: options.${field}: ${message}`);
}


/** Validates the options' data (zod), then the checks that need the model; fills in defaults. */
function validate(config: ModelConfig, weights: ReadonlyMap<string, HostTensor>, options: FurtherPretrainOptions) {
  const parsed = settingsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error, options);
    const received = issue.received;
    fail(issue.codePath || '(root)', `${issue.message}${received === undefined ? ' (missing)' : ` (got ${shown(received, 40)})`}`);
  }
  const s = parsed.data;
  const tokenizer = options.tokenizer;
  if (typeof tokenizer?.encode !== 'function') fail('tokenizer', 'must be a loaded tokenizer (loadTokenizer)');
  if (tokenizer.bosId === null) fail('tokenizer', `${tokenizer.file} has no BOS token, and every window starts with one`);
  const maxPos = config.maxPositionEmbeddings;
  const seqLen = s.seqLen ?? Math.min(PAPER.seqLen, maxPos);
  if (seqLen > maxPos) fail('seqLen', `must be ≤ max_position_embeddings = ${maxPos} (got ${seqLen})`);
  const evalAt = [...new Set(s.evalAt ?? [0, s.steps])].sort((a, b) => a - b);
  (s.evalAt ?? []).forEach((step, k) => {
    if (step > s.steps) fail(`evalAt[${k}]`, `must be within [0, steps] = [0, ${s.steps}] (got ${step})`);
  });
  if (evalAt.length === 0) fail('evalAt', 'must name at least one step');
  if (s.train.text.trim() === '') fail('train.text', `the training text of "${s.train.language}" is empty`);
  const seen = new Set<string>();
  s.evaluate.forEach((e, k) => {
    if (seen.has(e.language)) fail(`evaluate[${k}].language`, `"${e.language}" is listed twice`);
    seen.add(e.language);
    if (e.text.trim() === '') fail(`evaluate[${k}].text`, `the text of "${e.language}" is empty`);
  });
  for (const [name, shape] of expectedWeightShapes(config)) {
    const w = weights.get(name);
    if (w === undefined) throw new Error(`furtherPretrain: weights: ${name} is missing (expected shape [${shape}])`);
    if (w.shape.length !== shape.length || w.shape.some((d, k) => d !== shape[k])) {
      throw new Error(`furtherPretrain: weights: ${name} has shape [${w.shape}] but the config implies [${shape}]`);
    }
  }
  const freeze = options.freeze ?? null;
  if (s.zeroFrozen && freeze === null) fail('zeroFrozen', 'needs a region to zero (options.freeze)');
  return { ...s, seqLen, evalAt, tokenizer, freeze };
}

/** Token windows of one measured language, and the UTF-8 bytes they cover. */
interface EvalSet {
  language: string;
  windows: number[][];
  bytes: number;
}

async function measure(trainer: Trainer, sets: readonly EvalSet[], check: InterruptCheck, during: string): Promise<Record<string, LanguagePerplexity>> {
  const out: Record<string, LanguagePerplexity> = {};
  for (const set of sets) {
    await check(() => `${during}, measuring ${set.language}`);
    out[set.language] = fromWindowNll(await trainer.nll(set.windows), set.bytes);
  }
  return out;
}

/**
 * Further pre-trains a copy of the model on `options.train` (AdamW on ONNX Runtime, {@link Trainer})
 * with `options.freeze`'s entries fixed, and measures the perplexity of every evaluated language and the
 * trained one after each step of `evalAt`. The caller's `weights` are never modified. Deterministic for a
 * fixed seed, thread count and engine.
 * @throws Error naming the option and what was expected (e.g. a region whose shapes are another model's);
 *   TrainingError when the model, its gradients and AdamW's moments would not fit in memory, or when a
 *   step's loss or gradient norm is not a finite number (naming the step; nothing is cached).
 */
export async function furtherPretrain(
  config: ModelConfig,
  weights: ReadonlyMap<string, HostTensor>,
  options: FurtherPretrainOptions,
): Promise<ForgettingCurve> {
  const started = Date.now();
  const s = validate(config, weights, options);
  const frozen = s.freeze === null ? null : frozenMasks(s.freeze, weights);
  const bos = s.tokenizer.bosId!;

  const ids = Int32Array.from(s.tokenizer.encode(s.train.text));
  if (ids.length < s.seqLen) {
    fail('train.text', `"${s.train.language}" has ${ids.length} tokens, fewer than one window of seqLen = ${s.seqLen}`);
  }
  const sampler = new WindowSampler([{ language: s.train.language, ids, weight: 1 }], s.seqLen, bos, { seed: s.seed, draws: 0 });

  const trainedLanguageHeldOut = s.evaluate.some((e) => e.language === s.train.language);
  const measured = trainedLanguageHeldOut ? s.evaluate : [...s.evaluate, s.train];
  const sets: EvalSet[] = measured.map((e) => {
    const { windows, bytes } = textWindows(e.text, s.tokenizer, { seqLen: s.seqLen, maxTokens: s.evalMaxTokens });
    return { language: e.language, windows, bytes };
  });

  const start = frozen !== null && s.zeroFrozen ? zeroMasked(weights, frozen.masks) : weights;
  const adam: AdamOptions = { lr: s.lr, weightDecay: s.weightDecay };
  const trainer = await Trainer.open(config, start, {
    adam,
    clipNorm: s.clipNorm,
    frozen: frozen?.masks,
    engine: s.engine,
    threads: s.threads,
    batch: s.batch,
    seqLen: s.seqLen,
  });
  try {
    const schedule = { peak: s.lr, warmupSteps: s.warmup, totalSteps: s.steps, minRatio: 1 };
    const points: ForgettingPoint[] = [];
    const trainLoss: number[] = [];
    const training = `further pre-training on ${s.train.language}`;
    // A signal (Ctrl-C, SIGTERM) stops it between two runs of the engine (../util/interrupt.ts).
    await interruptible(async (check) => {
      const evaluateAt = async (step: number) => {
        points.push({ step, samples: step * s.batch, perplexity: await measure(trainer, sets, check, `${training} (step ${step} of ${s.steps})`) });
        await options.onEval?.(step, trainer.weights);
      };
      if (s.evalAt[0] === 0) await evaluateAt(0);
      for (let step = 1; step <= s.steps; step++) {
        await check(() => `${training} (step ${step} of ${s.steps})`);
        const r = await trainer.trainStep(sampler.sample(s.batch), learningRate(schedule, step));
        trainLoss.push(r.loss);
        options.onProgress?.(step, s.steps, r.loss);
        if (s.evalAt.includes(step)) await evaluateAt(step);
      }
    });

    return {
      points,
      trainLoss,
      frozenEntries: frozen?.entries ?? 0,
      droppedNormMasks: frozen?.droppedNormMasks ?? [],
      droppedNormEntries: frozen?.droppedNormEntries ?? 0,
      trainedLanguageHeldOut,
      settings: {
        train: { language: s.train.language, sha256: sha256(s.train.text) },
        evaluate: s.evaluate.map((e) => ({ language: e.language, sha256: sha256(e.text) })),
        steps: s.steps,
        lr: s.lr,
        batch: s.batch,
        seqLen: s.seqLen,
        weightDecay: s.weightDecay,
        warmup: s.warmup,
        clipNorm: s.clipNorm,
        freeze: s.freeze === null ? null : regionDigest(s.freeze),
        zeroFrozen: s.zeroFrozen,
        evalAt: s.evalAt,
        evalMaxTokens: s.evalMaxTokens,
        seed: s.seed,
        threads: s.threads,
        backend: trainer.engine.name,
      },
      device: trainer.engine.device,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await trainer.close();
  }
}
