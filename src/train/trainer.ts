/**
 * Training on ONNX Runtime: the gradient graph (../engine/onnx/autodiff.ts) gives the mean NLL's gradient
 * of every weight as host arrays, and a host {@link AdamW} edits the trained copy of the weights in place —
 * the same arrays the inference sessions read at the next run, so a step never copies or re-uploads a
 * weight. Both cores are used through ONNX Runtime's intra-op threads. Deterministic for a fixed engine
 * and thread count.
 */
import type { ModelConfig } from '../checkpoint/config.js';
import type { HostTensor } from '../checkpoint/types.js';
import { batchWindows } from '../corpus/windows.js';
import { memoryShortfall } from '../engine/memory.js';
import type { OrtModel, Transfers } from '../engine/onnx/ort-model.js';
import { openTraining, type EngineInfo } from '../engine/select.js';
import type { WindowNll } from '../model/batch.js';
import { AdamW, type AdamOptions, type AdamState, type FrozenMasks } from './adam.js';

/** Settings of a {@link Trainer}. */
export interface TrainerOptions {
  adam: AdamOptions;
  /** Global gradient-norm clip (default 1, HF Trainer's; 0 = none). */
  clipNorm?: number;
  /** Entries kept fixed (1 = frozen): never written by the optimizer. */
  frozen?: FrozenMasks;
  /** Optimizer state to resume from (saved by {@link Trainer.adamState}). */
  resume?: AdamState;
  /** Engine (default `$REGIONS_BACKEND`, else auto = ONNX Runtime; a tfjs name is refused). */
  engine?: string;
  /** Intra-op threads (default: one per core). Results are bit-reproducible for a fixed count. */
  threads?: number;
  /** Windows per gradient run (default: the whole step's batch); fewer hold fewer activations. */
  microBatch?: number;
  /** Memory available, for the up-front check (default: what the OS reports). */
  available?: number;
}

/** Result of one optimizer step. */
export interface StepResult {
  /** Mean NLL over the step's tokens before the update. */
  loss: number;
  tokens: number;
  /** Global L2 norm of the gradient before clipping. */
  gradNorm: number;
}

/**
 * Error: the training asked for cannot run here (too large for the memory available), or a step went
 * non-finite (a NaN or infinite loss or gradient norm) and was refused before it changed anything.
 */
export class TrainingError extends Error {
  override name = 'TrainingError';
}

/** A model being trained: its own copy of the weights, the ONNX Runtime model reading them, and AdamW. */
export class Trainer {
  readonly #model: OrtModel;
  readonly #arrays: Map<string, Float32Array>;
  readonly #adam: AdamW;
  readonly #clipNorm: number;
  readonly #frozen: FrozenMasks | undefined;
  readonly #microBatch: number | undefined;
  readonly #close: () => Promise<void>;
  /** What runs the gradients. */
  readonly engine: EngineInfo;
  /** The weights being trained (a copy of those given; the caller's are never written). */
  readonly weights: ReadonlyMap<string, HostTensor>;

  private constructor(
    opened: { model: OrtModel; info: EngineInfo; close: () => Promise<void> },
    weights: Map<string, HostTensor>,
    adam: AdamW,
    options: TrainerOptions,
  ) {
    this.#model = opened.model;
    this.engine = opened.info;
    this.#close = opened.close;
    this.weights = weights;
    this.#arrays = new Map([...weights].map(([n, w]) => [n, w.data]));
    this.#adam = adam;
    this.#clipNorm = options.clipNorm ?? 1;
    this.#frozen = options.frozen;
    this.#microBatch = options.microBatch;
  }

  /**
   * Copies the weights and opens them on the engine. Refuses up front, naming the memory needed, a model
   * whose weights, AdamW's two moments and one batch's gradients twice (ours, and the engine's own during
   * the run: five float32 copies) plus the activations exceed the memory available. (Importance, which keeps
   * one gradient sum instead of two moments, peaked at 17.5 GiB ≈ four copies on TinyLlama-1.1B's shape.)
   * @throws TrainingError when it would not fit; BackendError when the engine cannot train or start.
   */
  static async open(
    config: ModelConfig,
    weights: ReadonlyMap<string, HostTensor>,
    options: TrainerOptions & { batch: number; seqLen: number },
  ): Promise<Trainer> {
    if (!(options.clipNorm === undefined || options.clipNorm >= 0)) throw new Error(`Trainer: clipNorm must be ≥ 0 (got ${options.clipNorm})`);
    if (options.microBatch !== undefined && !(Number.isInteger(options.microBatch) && options.microBatch >= 1)) {
      throw new Error(`Trainer: microBatch must be a whole number ≥ 1 (got ${options.microBatch})`);
    }
    const problem = memoryShortfall(config, { kind: 'training', engine: 'onnxruntime', batch: options.batch, seqLen: options.seqLen }, options.available);
    if (problem !== null) throw new TrainingError(`training cannot run on this machine: ${problem}`);
    const adam = new AdamW(options.adam, options.resume); // bad settings fail before a session opens
    const copy = new Map([...weights].map(([n, w]) => [n, { shape: [...w.shape], data: Float32Array.from(w.data) }]));
    const opened = await openTraining(config, copy, options.engine, { threads: options.threads });
    return new Trainer(opened, copy, adam, options);
  }

  /** Optimizer steps taken (including those of a resumed state). */
  get step(): number {
    return this.#adam.step;
  }

  /** "onnxruntime 1.x cpu (2 threads)". */
  /** Bytes moved between the host and the device by the trainer's model (zeros on the CPU provider). */
  get transfers(): Readonly<Transfers> {
    return this.#model.transfers;
  }

  get description(): string {
    return this.#model.description;
  }

  /** Mean-NLL gradient of the windows (equal lengths), in micro-batches summed with token weights. */
  async #gradients(windows: readonly number[][]): Promise<{ loss: number; tokens: number; grads: Map<string, Float32Array> }> {
    const parts = batchWindows(windows, this.#microBatch ?? windows.length);
    if (parts.length === 1) return this.#model.lossAndGrads(parts[0]!, 'mean');
    const tokens = windows.reduce((a, w) => a + w.length - 1, 0);
    const sum = new Map<string, Float32Array>();
    let loss = 0;
    for (const part of parts) {
      const r = await this.#model.lossAndGrads(part, 'mean');
      const share = r.tokens / tokens;
      loss += r.loss * share;
      for (const [name, g] of r.grads) {
        let acc = sum.get(name);
        if (acc === undefined) sum.set(name, (acc = new Float32Array(g.length)));
        for (let i = 0; i < g.length; i++) acc[i]! += g[i]! * share;
      }
    }
    return { loss, tokens, grads: sum };
  }

  /**
   * One AdamW step on the windows' mean NLL, with global-norm clipping; `lr` is this step's rate.
   * @throws TrainingError, before the update, when the loss or the gradient norm is not a finite number:
   * the weights, AdamW's moments and its step count stay as they were (clipping cannot rescue a NaN —
   * its scale stays 1 — nor an infinity, whose scale is 0 and Inf·0 = NaN).
   */
  async trainStep(windows: readonly number[][], lr: number): Promise<StepResult> {
    const step = this.step + 1;
    if (!(lr > 0 && Number.isFinite(lr))) throw new Error(`Trainer.trainStep: lr at step ${step} must be a finite number > 0 (got ${lr})`);
    const { loss, tokens, grads } = await this.#gradients(windows);
    let sq = 0;
    for (const g of grads.values()) for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
    const gradNorm = Math.sqrt(sq);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      throw new TrainingError(
        `step ${step}: the loss is ${loss} and the gradient norm ${gradNorm}; the step was not applied (weights and AdamW state are those after step ${step - 1}). ` +
          'A weight may have gone non-finite, or the learning rate is too high',
      );
    }
    const gradScale = this.#clipNorm > 0 && gradNorm > this.#clipNorm ? this.#clipNorm / gradNorm : 1;
    this.#adam.apply(this.#arrays, grads, { frozen: this.#frozen, lr, gradScale });
    this.#model.weightsChanged(grads.keys()); // on a GPU provider: upload what the step changed, once
    return { loss, tokens, gradNorm };
  }

  /** Per-window NLL of the current weights, in the order of `windows`, `batchSize` windows per run. */
  async nll(windows: readonly number[][], batchSize = 8): Promise<WindowNll[]> {
    const out: WindowNll[] = [];
    for (const batch of batchWindows(windows, batchSize)) out.push(...(await this.#model.windowNll(batch)));
    return out;
  }

  /** A copy of the optimizer state, to resume from. */
  adamState(): AdamState {
    return this.#adam.state();
  }

  /** Releases the engine's sessions; the weights stay readable. */
  close(): Promise<void> {
    return this.#close();
  }
}
