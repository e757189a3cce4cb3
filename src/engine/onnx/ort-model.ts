/**
 * The decoder on ONNX Runtime. The graph is the model of every family (../../model/causal-lm.ts) recorded
 * by ./onnx-ops.ts, with every weight a graph input fed from the host arrays at each run (on a GPU provider,
 * from device copies uploaded once per host array: see {@link OrtModel.transfers}): the host weights are
 * the single source of truth, so a perturbation (an overlay: another map of host arrays over the
 * same sessions) or an optimizer step never rebuilds an inference session. Sessions are cached per (batch,
 * sequence length, output), at most MAX_SESSIONS of them; runs on one model and its overlays go one at a time.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import type { ModelConfig } from '../../checkpoint/config.js';
import type { HostTensor } from '../../checkpoint/types.js';
import { checkWindows, type WindowNll, type Windows } from '../../model/batch.js';
import { LOGITS_CHUNK_BYTES, logitsOf, nllOf } from '../../model/causal-lm.js';
import { checkEdits, editsKey, type ResidualEdit } from '../../model/residual-edit.js';
import type { ObservableModel } from '../../model/observe.js';
export type { Activations } from '../../model/observations.js';
import type { Overlay, Perturbable } from '../../model/perturbable.js';
import type { GradientModel, HostLossAndGrads, LossObjective } from '../../model/gradient-model.js';
import { gradients } from './autodiff.js';
import { GraphBuilder, type Sym } from './graph.js';
import { onnxObservationOps } from './onnx-ops.js';
import { isObservation, OBSERVATIONS, type ObservationName, type ObservationResult } from '../../model/observations.js';

/** ONNX Runtime execution providers the engine can ask for. */
export type OrtProvider = 'cpu' | 'webgpu' | 'cuda';

/** Settings of an {@link OrtModel}. */
export interface OrtModelOptions {
  /** Execution provider (default cpu). */
  provider?: OrtProvider;
  /** Intra-op threads (default: one per core). */
  threads?: number;
  /** Bytes of logits the NLL and gradient graphs compute at once (default LOGITS_CHUNK_BYTES, 64 MiB). */
  logitsChunkBytes?: number;
  /**
   * Whether idle intra-op threads spin while waiting for work (ONNX Runtime's default) instead of sleeping
   * (ours). Spinning burns the cores another process or test file needs: two fixture training loops side by
   * side took 270–310 ms a step spinning and 180 ms sleeping, against 100–114 ms alone either way.
   */
  spinning?: boolean;
  /**
   * Whether sessions keep ONNX Runtime's CPU memory arena, which holds on to a run's peak allocation for the
   * next run. Default: on below 100 M parameters (the fixture's gradient step is ~20% faster with it), off
   * above, where a gradient session's arena would keep activations and a copy of every gradient (GBs) alive
   * between runs. Without the arena, only one gradient session (one batch shape) is kept at a time.
   */
  memArena?: boolean;
  /** Sessions kept at most (default {@link MAX_SESSIONS}); the least recently run is released first. */
  maxSessions?: number;
}

/** What a graph computes from ids [batch, seq]. */
export type GraphOutput =
  /** per-window NLL sums (nats): [batch] */
  | 'nll'
  /** logits of every position: [batch·seq, vocab] */
  | 'logits'
  /** the loss (`mean`: over every predicted token; `sum-of-window-means`: Σ over windows of each window's mean) and `grad.<weight>` of every weight */
  | 'grads-mean'
  | 'grads-sum-of-window-means'
  /** per observed layer (the embedding output, then each decoder layer), max |h| per hidden dim at position 0 and at the other positions: [layers, 2, d] */
  | 'residual-maxima'
  /** per observed layer, Σ h per hidden dim at position 0 and over the other positions: [layers, 2, d] */
  | 'residual-sums'
  /**
   * `hidden`: the residual stream after the embedding and after each decoder layer, [layers + 1, batch·seq, d];
   * `down-in-max` / `down-out-max`: per layer, max over positions of |down_proj input| per channel [layers, ffn]
   * and of |down_proj output| per hidden dim [layers, d] (what the detectors read, ../../detect/)
   */
  | 'activations'
  /** per layer, how many positions have gate_proj output > 0 (SiLU(gate) > 0), per FFN neuron: [layers, ffn] */
  | 'gate-positive'
  /** `sq.<k>`: Σ over positions of x² per input channel of the k-th linear input (see {@link linearInputs}) */
  | 'input-square-sums';



export type { HostLossAndGrads } from '../../model/gradient-model.js';

/** Error starting ONNX Runtime or one of its execution providers. */
export class OrtEngineError extends Error {
  override name = 'OrtEngineError';
}

interface Compiled {
  session: ort.InferenceSession;
  /** The weights the graph reads, in its input order. */
  weights: string[];
}

let openSessions = 0;

/** A short key for a set of weight names (a gradient graph's subset; order does not matter). */
function namesKey(names: readonly string[]): string {
  return createHash('sha256').update([...names].sort().join('\n')).digest('hex').slice(0, 16);
}

/** Inference sessions open in this process (tests assert none are left behind). */
export function openOrtSessions(): number {
  return openSessions;
}

/** The ONNX graph of the model for one batch shape: ids [batch, seq] (int32) → `output`. */
export function buildGraph(
  config: ModelConfig,
  weightShapes: ReadonlyMap<string, readonly number[]>,
  batch: number,
  seq: number,
  output: GraphOutput,
  logitsChunkBytes = LOGITS_CHUNK_BYTES,
  edits: readonly ResidualEdit[] = [],
  gradientsOf?: readonly string[],
): GraphBuilder {
  const g = new GraphBuilder();
  const ops = onnxObservationOps(g, weightShapes);
  const ids = g.input('ids', 'int32', [batch, seq]);
  if (output === 'logits') {
    g.output(logitsOf(ops, config, ids, { edits }), 'logits');
  } else if (isObservation(output)) {
    const outputs: Record<string, Sym> = OBSERVATIONS[output].record(ops, config, ids, edits);
    for (const [name, value] of Object.entries(outputs)) g.output(value, name);
  } else if (output === 'nll') {
    const nll = nllOf(ops, config, ids, { chunkBytes: logitsChunkBytes, edits }); // [batch, seq − 1]
    g.output(g.node('ReduceSum', [nll, g.ints([1])], [batch], { keepdims: 0 }), 'nll');
  } else {
    const nll = nllOf(ops, config, ids, { chunkBytes: logitsChunkBytes, edits });
    const total = g.node('ReduceSum', [nll, g.ints([0, 1])], [], { keepdims: 0 });
    // Equal-length windows: Σ_w mean_t = total / (seq − 1); the mean over all tokens = total / (batch·(seq − 1)).
    const divisor = output === 'grads-mean' ? batch * (seq - 1) : seq - 1;
    const loss = g.node('Mul', [total, g.constant(Float32Array.of(1 / divisor), [], 'scalar')], []);
    g.output(loss, 'loss');
    // Only the gradients asked for are outputs; the rest of the backward is dropped as dead (GraphBuilder.toBytes).
    const asked = gradientsOf === undefined ? undefined : new Set(gradientsOf);
    const weights = g.inputs.filter((s) => s.name !== 'ids' && (asked === undefined || asked.has(s.name)));
    for (const [name, grad] of gradients(g, loss, weights)) g.output(grad, `grad.${name}`);
  }
  return g;
}

/**
 * At most this many inference sessions (batch shape × output) are kept per model; the least recently run is
 * released first. The fixture's baseline over its 30 languages alone opens 32 (each language's last, shorter
 * window is a shape of its own), and the detectors and gradients add a few — a bound a spec run must not
 * reach, or every perturbation would rebuild the tail windows' sessions (at 12, the cold spec suite took
 * 134–139 s against 123 s at 64, single runs). A property sweep over window lengths would
 * otherwise keep one more graph (and arena) per length it tries.
 */
export const MAX_SESSIONS = 64;

/** Bytes moved between the host and the device (a GPU provider's memory) since the model was made. */
export interface Transfers {
  /** Runs of the model's graphs on the device. */
  runs: number;
  /** Weights uploaded: each once, then again only when it changes (an overlay's replacements, an optimizer step). */
  weightBytes: number;
  /** The runs' other inputs (token ids), uploaded per run. */
  inputBytes: number;
  /** The runs' outputs (NLL, logits, gradients, observations), read back per run. */
  outputBytes: number;
}

/** Runs one at a time: per model on the CPU; per process on a GPU provider (ONNX Runtime issue #32561: concurrent runs of two WebGPU sessions crash on Linux/Vulkan). */
interface Queue {
  /** Settles when the last queued run has. */
  tail: Promise<unknown>;
}
const DEVICE_QUEUE: Queue = { tail: Promise.resolve() };

/** Weights kept on the device, by their host array: a view's replacements are other arrays, so other entries. */
interface DeviceWeights {
  readonly tensors: Map<Float32Array, ort.Tensor>;
  /** The session that uploads a weight of a shape (an Identity whose output stays on the device), by shape. */
  readonly uploaders: Map<string, Promise<ort.InferenceSession>>;
}

/** What a model shares with its overlays: the sessions, the run queue, the weights on the device and the transfer counts. */
interface Runtime {
  /** By `${output}:${batch}x${seq}`, least recently run first. */
  readonly sessions: Map<string, Promise<Compiled>>;
  released: boolean;
  readonly queue: Queue;
  /** Null on the CPU provider, whose runs read the host arrays in place. */
  readonly device: DeviceWeights | null;
  readonly transfers: Transfers;
}

/** A checkpoint on ONNX Runtime, reading its weights from host arrays at every run. */
export class OrtModel implements Perturbable, ObservableModel, GradientModel {
  /** Which engine: ONNX Runtime (the tfjs model says 'tfjs'). */
  readonly kind = 'onnxruntime' as const;
  #runtime: Runtime;
  readonly #options: Required<OrtModelOptions>;
  /** The model this one is an {@link overlay} of, or null for a model that owns its sessions. */
  #viewOf: OrtModel | null = null;
  /** Residual-stream edits every graph of this view applies (an overlay's; none on a model of its own). */
  #edits: readonly ResidualEdit[] = [];

  /**
   * @param weights HF name → float32 host tensor. The model reads them at every run and never copies or
   *   changes them; a perturbation is an {@link overlay} (withPerturbation): another map over the same sessions.
   */
  constructor(
    readonly config: ModelConfig,
    readonly weights: Map<string, HostTensor>,
    options: OrtModelOptions = {},
  ) {
    this.#options = {
      provider: options.provider ?? 'cpu',
      threads: options.threads ?? availableParallelism(),
      logitsChunkBytes: options.logitsChunkBytes ?? LOGITS_CHUNK_BYTES,
      spinning: options.spinning ?? false,
      memArena: options.memArena ?? [...weights.values()].reduce((n, w) => n + w.data.length, 0) < 100e6,
      maxSessions: options.maxSessions ?? MAX_SESSIONS,
    };
    const onDevice = this.#options.provider !== 'cpu';
    this.#runtime = {
      sessions: new Map(),
      released: false,
      queue: onDevice ? DEVICE_QUEUE : { tail: Promise.resolve() },
      device: onDevice ? { tensors: new Map(), uploaders: new Map() } : null,
      transfers: { runs: 0, weightBytes: 0, inputBytes: 0, outputBytes: 0 },
    };
  }

  /** HF names of all weights, in checkpoint order. */
  weightNames(): string[] {
    return [...this.weights.keys()];
  }

  weightShape(name: string): readonly number[] {
    return this.#host(name).shape;
  }

  async readWeight(name: string): Promise<Float32Array> {
    return this.#host(name).data;
  }

  /**
   * A view whose host map reads `replacements` in place of those weights (the arrays themselves, not copies)
   * and this model's arrays for the rest; it shares this model's sessions, run queue and weights on the
   * device. This model is not changed (see {@link Perturbable}). On a GPU provider the view uploads only its
   * replacements (at its first run), and releasing the overlay frees those uploads; releasing the view
   * itself is refused.
   */
  overlay(replacements: ReadonlyMap<string, Float32Array>, edits: readonly ResidualEdit[] = []): Overlay<this> {
    checkEdits(this.config, edits);
    const weights = new Map(this.weights);
    for (const [name, data] of replacements) {
      const w = this.#host(name);
      if (data.length !== w.data.length) throw new Error(`weight ${name} has ${w.data.length} values but the replacement has ${data.length}`);
      weights.set(name, { shape: w.shape, data });
    }
    const view = new OrtModel(this.config, weights, this.#options);
    view.#runtime = this.#runtime;
    view.#viewOf = this;
    view.#edits = [...this.#edits, ...edits];
    return { model: view as this, release: () => this.#dropFromDevice(replacements.values()) };
  }

  #host(name: string): HostTensor {
    const w = this.weights.get(name);
    if (w === undefined) throw new Error(`no weight named ${name} (the model has ${this.weights.size} weights, e.g. ${this.weights.keys().next().value})`);
    return w;
  }

  /** "onnxruntime 1.30.0 cpu (2 threads)": what importance provenance records. */
  get description(): string {
    const { provider, threads } = this.#options;
    return `onnxruntime ${ort.env.versions.common} ${provider}${provider === 'cpu' ? ` (${threads} thread${threads === 1 ? '' : 's'})` : ''}`;
  }

  /** Intra-op threads each run uses. */
  get threads(): number {
    return this.#options.threads;
  }

  /** The execution provider sessions run on. */
  get provider(): OrtProvider {
    return this.#options.provider;
  }

  #shapes(): Map<string, readonly number[]> {
    return new Map([...this.weights].map(([n, t]) => [n, t.shape]));
  }

  async #createSession(bytes: Uint8Array, outputs: 'cpu' | 'gpu-buffer' = 'cpu'): Promise<ort.InferenceSession> {
    const { provider, threads, spinning, memArena } = this.#options;
    try {
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: [provider],
        ...(outputs === 'gpu-buffer' && { preferredOutputLocation: 'gpu-buffer' as const }),
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        enableCpuMemArena: memArena,
        // session.intra_op.allow_spinning
        extra: { session: { intra_op: { allow_spinning: spinning ? '1' : '0' } } },
      });
      openSessions++;
      return session;
    } catch (err) {
      throw new OrtEngineError(`ONNX Runtime could not start its ${provider} execution provider: ${(err as Error).message}`);
    }
  }

  /** Starts the execution provider on a one-node graph: a provider that cannot start fails here, not mid-measurement. */
  async ready(): Promise<void> {
    const g = new GraphBuilder();
    g.output(g.input('x', 'float32', [1]), 'y');
    const session = await this.#createSession(g.toBytes('probe'));
    await session.release();
    openSessions--;
  }

  async #compile(batch: number, seq: number, output: GraphOutput, gradientsOf?: readonly string[]): Promise<Compiled> {
    const g = buildGraph(this.config, this.#shapes(), batch, seq, output, this.#options.logitsChunkBytes, this.#edits, gradientsOf);
    const session = await this.#createSession(g.toBytes(`llama-${output}-${batch}x${seq}`));
    return { session, weights: g.inputs.filter((s) => s.name !== 'ids').map((s) => s.name) };
  }

  /**
   * The cached session for a batch shape and output (built on first use). Without the memory arena (large
   * models) at most one gradient session is kept: another shape's is released first, as each one's run holds
   * every weight's gradient. So gradient runs on one model go one at a time (as the trainer and importance do).
   * `gradientsOf`: the weights a gradient graph outputs the gradients of (default all), part of the key.
   */
  async #session(batch: number, seq: number, output: GraphOutput, gradientsOf?: readonly string[]): Promise<Compiled> {
    const { sessions } = this.#runtime;
    if (this.#runtime.released) throw new Error('the ONNX Runtime model was released');
    // A view with residual edits runs graphs of its own (the edits are constants in them), kept beside the model's.
    const subset = gradientsOf === undefined ? '' : `:of ${namesKey(gradientsOf)}`;
    const key = `${output}:${batch}x${seq}${subset}${this.#edits.length === 0 ? '' : `:edits ${editsKey(this.#edits)}`}`;
    let s = sessions.get(key);
    if (s !== undefined) {
      sessions.delete(key); // to the end: the most recently run
      sessions.set(key, s);
      return s;
    }
    const gradients = output.startsWith('grads-') && !this.#options.memArena;
    // Room for the new session: another gradient shape's goes first without the arena (each run holds every
    // weight's gradient), then the least recently run beyond maxSessions.
    const stale = [...sessions.keys()].filter((k) => gradients && k.startsWith('grads-'));
    const rest = [...sessions.keys()].filter((k) => !stale.includes(k));
    stale.push(...rest.slice(0, Math.max(0, rest.length - (this.#options.maxSessions - 1))));
    for (const other of stale) {
      const compiled = sessions.get(other)!;
      sessions.delete(other);
      const done = await compiled.then((c) => c, () => null);
      if (done !== null) {
        await done.session.release();
        openSessions--;
      }
    }
    s = this.#compile(batch, seq, output, gradientsOf);
    s.catch(() => sessions.delete(key));
    sessions.set(key, s);
    return s;
  }

  /**
   * Runs `work` after every run queued before it on this model and its overlays has settled: one run at a
   * time, so a session is never released while another run uses it and two gradient runs never hold their
   * gradients at once (ONNX Runtime's node binding runs synchronously on the main thread anyway). On a GPU
   * provider the queue is the process's: runs of every model on the device go one at a time.
   */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const queue = this.#runtime.queue;
    const run = queue.tail.then(work, work);
    // The tail keeps no value: a run's outputs (a gradient run's: a copy of every weight) must not outlive their reader
    // by waiting in the queue until the next run settles.
    queue.tail = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  /** How many inference sessions this model (with its overlays) holds now. */
  get sessionCount(): number {
    return this.#runtime.sessions.size;
  }

  /** Runs the graph for `output` on a batch; returns every graph output as a host copy, by name. */
  #runAll(flat: Int32Array, batch: number, seq: number, output: GraphOutput, gradientsOf?: readonly string[]): Promise<Map<string, Float32Array>> {
    return this.#serial(() => this.#runNow(flat, batch, seq, output, gradientsOf));
  }

  async #runNow(flat: Int32Array, batch: number, seq: number, output: GraphOutput, gradientsOf?: readonly string[]): Promise<Map<string, Float32Array>> {
    const { session, weights } = await this.#session(batch, seq, output, gradientsOf);
    const feeds: Record<string, ort.Tensor> = { ids: new ort.Tensor('int32', flat, [batch, seq]) };
    for (const name of weights) {
      const w = this.weights.get(name);
      if (w === undefined) throw new Error(`model weight ${name} is missing`);
      feeds[name] = this.#runtime.device === null ? new ort.Tensor('float32', w.data, w.shape) : await this.#onDevice(w);
    }
    const result = await session.run(feeds);
    const transfers = this.#runtime.transfers;
    if (this.#runtime.device !== null) {
      transfers.runs++;
      transfers.inputBytes += flat.byteLength;
      for (const t of Object.values(result)) transfers.outputBytes += (t.data as Float32Array).byteLength;
    }
    const out = new Map<string, Float32Array>();
    for (const [name, t] of Object.entries(result)) {
      try {
        // A CPU-located output's data is a JS array of its own: kept without a copy (the peak of a gradient
        // run is then one set of gradients, not two). dispose() drops the tensor's hold, not the array.
        if (t.type !== 'float32' || !(t.data instanceof Float32Array)) throw new Error(`ONNX Runtime output ${name} is ${t.type} on ${t.location}, not float32 on the host`);
        out.set(name, t.data);
      } finally {
        t.dispose();
      }
    }
    return out;
  }

  async #run(flat: Int32Array, batch: number, seq: number, output: 'nll' | 'logits'): Promise<Float32Array> {
    return (await this.#runAll(flat, batch, seq, output)).get(output)!;
  }

  /**
   * {@link lossAndGrads} for `names` only: the graph outputs those weights' gradients and computes no more of
   * the backward than they need (importance in slices: one slice's gradients per pass).
   */
  async hostLossAndGrads(windows: Windows, objective: LossObjective = 'mean', names?: readonly string[]): Promise<HostLossAndGrads> {
    return this.lossAndGrads(windows, objective, names);
  }

  /**
   * The loss over the windows (of equal length) and its gradient with respect to every weight the graph
   * reads (or those of `names`), as host arrays; no update. A weight the loss does not depend on gets zeros.
   */
  async lossAndGrads(windows: Windows, objective: LossObjective = 'mean', names?: readonly string[]): Promise<HostLossAndGrads> {
    const { batch, seq, flat } = checkWindows(windows, this.config);
    if (names !== undefined) for (const n of names) this.#host(n); // throws on a name the model does not have
    const everyWeight = names === undefined || new Set(names).size === this.weights.size;
    const out = await this.#runAll(flat, batch, seq, `grads-${objective}`, everyWeight ? undefined : names);
    const grads = new Map<string, Float32Array>();
    for (const name of this.weights.keys()) {
      const g = out.get(`grad.${name}`);
      if (g !== undefined) grads.set(name, g);
    }
    return { loss: out.get('loss')![0]!, tokens: batch * (seq - 1), grads };
  }

  /** Logits of every position: [batch][seq][vocab] as one flat Float32Array (row-major). */
  async logits(windows: Windows): Promise<Float32Array> {
    const { batch, seq, flat } = checkWindows(windows, this.config, 1);
    return this.#run(flat, batch, seq, 'logits');
  }

  /** An observation of the registry (../../model/observations.ts), recorded as this graph's outputs and decoded. */
  async observe<N extends ObservationName>(name: N, windows: Windows): Promise<ObservationResult<N>> {
    const { batch, seq, flat } = checkWindows(windows, this.config, 1);
    return OBSERVATIONS[name].decode(await this.#runAll(flat, batch, seq, name), this.config) as ObservationResult<N>;
  }


  /** Per-window NLL sums (nats) and predicted-token counts. */
  async windowNll(windows: Windows): Promise<WindowNll[]> {
    const { batch, seq, flat } = checkWindows(windows, this.config);
    const sums = await this.#run(flat, batch, seq, 'nll');
    return Array.from(sums, (nllSum) => ({ nllSum, tokens: seq - 1 }));
  }

  /** Bytes moved between the host and the device since the model was made (with its overlays); zeros on the CPU provider. */
  get transfers(): Readonly<Transfers> {
    return { ...this.#runtime.transfers };
  }

  /** The device copy of a host weight, uploaded at its first use (GPU providers). */
  async #onDevice(w: HostTensor): Promise<ort.Tensor> {
    const device = this.#runtime.device!;
    let t = device.tensors.get(w.data);
    if (t === undefined) {
      const key = w.shape.join('x');
      let uploader = device.uploaders.get(key);
      if (uploader === undefined) {
        const g = new GraphBuilder();
        g.output(g.node('Identity', [g.input('x', 'float32', w.shape)], w.shape), 'y');
        uploader = this.#createSession(g.toBytes(`upload-${key}`), 'gpu-buffer');
        uploader.catch(() => device.uploaders.delete(key));
        device.uploaders.set(key, uploader);
      }
      const { y } = await (await uploader).run({ x: new ort.Tensor('float32', w.data, w.shape) });
      if (y!.location !== 'gpu-buffer') throw new Error(`ONNX Runtime left an uploaded weight on the ${y!.location}, not the device`);
      t = y!;
      device.tensors.set(w.data, t);
      this.#runtime.transfers.weightBytes += w.data.byteLength;
    }
    return t;
  }

  /** Frees the device copies of these host arrays (an overlay's replacements, or weights changed in place). */
  #dropFromDevice(arrays: Iterable<Float32Array>): void {
    const device = this.#runtime.device;
    if (device === null) return;
    for (const data of arrays) {
      device.tensors.get(data)?.dispose();
      device.tensors.delete(data);
    }
  }

  /**
   * Says that weights were changed in place (an optimizer step writes the host arrays): on a GPU provider
   * their device copies are uploaded again at the next run. No-op on the CPU provider, which reads the host
   * arrays at every run. Default: every weight.
   */
  weightsChanged(names: Iterable<string> = this.weights.keys()): void {
    this.#dropFromDevice([...names].map((n) => this.#host(n).data));
  }

  /** Releases every inference session. The model is unusable afterwards; the host weights are untouched. */
  async release(): Promise<void> {
    if (this.#viewOf !== null) throw new Error('release: this model is an overlay view sharing its sessions; release the model it views');
    if (this.#runtime.released) return;
    this.#runtime.released = true;
    await this.#runtime.queue.tail; // a run in flight finishes on its session first
    const device = this.#runtime.device;
    if (device !== null) {
      this.#dropFromDevice([...device.tensors.keys()]);
      for (const u of await Promise.allSettled([...device.uploaders.values()])) {
        if (u.status === 'fulfilled') {
          await u.value.release();
          openSessions--;
        }
      }
      device.uploaders.clear();
    }
    const sessions = [...this.#runtime.sessions.values()];
    this.#runtime.sessions.clear();
    for (const s of await Promise.allSettled(sessions)) {
      if (s.status === 'fulfilled') {
        await s.value.session.release();
        openSessions--;
      }
    }
  }
}
