import { Worker } from 'node:worker_threads';
import type { ModelConfig } from '../checkpoint/config.js';
import type { HostTensor } from '../checkpoint/types.js';
import type { LossObjective, WindowNll } from '../model/model.js';
import type { AdamOptions, AdamState } from '../train/adam.js';
import type { Envelope, FlatLayout, WorkerReply, WorkerRequest } from './protocol.js';

/** Settings of a {@link ModelPool}. */
export interface PoolOptions {
  /**
   * Worker threads, each with its own tfjs instance (tfjs-wasm runs one thread in Node, so this is how
   * both cores get used). Default 2. Results depend on it only through float summation order.
   */
  workers?: number;
  /** Backend name for every worker (default: REGIONS_BACKEND, else auto). */
  backend?: string;
  /** Windows per forward pass inside a worker (default 8). */
  batchSize?: number;
}

/** Result of one data-parallel training step. */
export interface StepResult {
  /** Mean NLL over the step's tokens before the update. */
  loss: number;
  tokens: number;
  /** Global L2 norm of the gradient before clipping. */
  gradNorm: number;
}

function spawn(): Worker {
  const isTs = import.meta.url.endsWith('.ts');
  const url = new URL(isTs ? './worker.ts' : './worker.js', import.meta.url);
  if (!isTs) return new Worker(url);
  // From source (tests, scripts) the worker is TypeScript: register tsx inside the worker, then load it.
  const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true });
}

/**
 * Replicas of one model in worker threads. Windows are split into contiguous shards, one per worker;
 * gradients come back through shared memory and are summed here; every replica then applies the same
 * (masked) Adam update, so they stay identical.
 */
export class ModelPool {
  readonly layout: FlatLayout[];
  readonly parameterCount: number;
  readonly backend: { name: string; device: string };
  readonly #workers: Worker[];
  readonly #gradBuffers: Float32Array[];
  readonly #sum: Float32Array;
  readonly #batchSize: number;
  #nextId = 1;
  #pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();

  private constructor(
    workers: Worker[],
    layout: FlatLayout[],
    grads: Float32Array[],
    sum: Float32Array,
    batchSize: number,
    backend: { name: string; device: string },
  ) {
    this.#workers = workers;
    this.layout = layout;
    this.parameterCount = sum.length;
    this.#gradBuffers = grads;
    this.#sum = sum;
    this.#batchSize = batchSize;
    this.backend = backend;
  }

  /** Starts the workers and uploads the weights to each. */
  static async create(config: ModelConfig, weights: ReadonlyMap<string, HostTensor>, options: PoolOptions = {}): Promise<ModelPool> {
    const n = options.workers ?? 2;
    if (!Number.isInteger(n) || n < 1) throw new Error(`workers must be a positive integer (got ${n})`);
    const layout: FlatLayout[] = [];
    let offset = 0;
    for (const [name, w] of weights) {
      layout.push({ name, shape: w.shape, offset, size: w.data.length });
      offset += w.data.length;
    }
    const sumShared = new SharedArrayBuffer(offset * 4);
    const gradShared = Array.from({ length: n }, () => new SharedArrayBuffer(offset * 4));
    const workers = Array.from({ length: n }, spawn);
    const pool = new ModelPool(
      workers,
      layout,
      gradShared.map((b) => new Float32Array(b)),
      new Float32Array(sumShared),
      options.batchSize ?? 8,
      { name: '', device: '' },
    );
    workers.forEach((w) => {
      w.on('message', (msg: Envelope<WorkerReply>) => pool.#settle(msg));
      w.on('error', (err) => pool.#failAll(err));
    });
    const backend = options.backend ?? process.env.REGIONS_BACKEND ?? 'auto';
    const replies = await Promise.all(
      workers.map((_, k) =>
        pool.#call(k, {
          op: 'init',
          backend,
          config,
          layout,
          weights: layout.map((l) => weights.get(l.name)!.data.slice()),
          grads: gradShared[k]!,
          sum: sumShared,
        }),
      ),
    );
    const ready = replies[0] as Extract<WorkerReply, { op: 'ready' }>;
    (pool as { backend: { name: string; device: string } }).backend = {
      name: ready.backend,
      device: `${ready.device} × ${n} worker threads`,
    };
    return pool;
  }

  get workers(): number {
    return this.#workers.length;
  }

  #settle(msg: Envelope<WorkerReply>): void {
    const p = this.#pending.get(msg.id);
    if (p === undefined) return;
    this.#pending.delete(msg.id);
    if (msg.op === 'error') {
      const err = new Error(`pool worker: ${msg.message}`);
      if (msg.stack !== undefined) err.stack = msg.stack;
      p.reject(err);
    } else {
      p.resolve(msg);
    }
  }

  #failAll(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  #call(worker: number, req: WorkerRequest): Promise<WorkerReply> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#workers[worker]!.postMessage({ id, ...req });
    });
  }

  #broadcast(req: WorkerRequest): Promise<WorkerReply[]> {
    return Promise.all(this.#workers.map((_, k) => this.#call(k, req)));
  }

  /** Contiguous shards, one per worker (some may be empty). */
  #shards<T>(items: readonly T[]): T[][] {
    const n = this.#workers.length;
    const per = Math.ceil(items.length / n);
    return this.#workers.map((_, k) => items.slice(k * per, (k + 1) * per));
  }

  /**
   * Gradient of the objective over the windows, summed across workers into one flat buffer (layout
   * order). The returned array is the pool's own buffer: copy what you keep before the next call.
   */
  async gradients(windows: readonly number[][], objective: LossObjective): Promise<{ loss: number; tokens: number; grads: Float32Array }> {
    const shards = this.#shards(windows);
    const totalTokens = windows.reduce((a, w) => a + w.length - 1, 0);
    const scale = objective === 'mean' ? 1 / totalTokens : 1;
    const replies = (await Promise.all(
      shards.map((shard, k) =>
        shard.length === 0
          ? Promise.resolve({ op: 'grads', lossSum: 0, tokens: 0 } as const)
          : this.#call(k, { op: 'grads', windows: shard, objective, scale, batchSize: this.#batchSize }),
      ),
    )) as Extract<WorkerReply, { op: 'grads' }>[];
    const sum = this.#sum;
    sum.fill(0);
    shards.forEach((shard, k) => {
      if (shard.length === 0) return;
      const g = this.#gradBuffers[k]!;
      for (let i = 0; i < sum.length; i++) sum[i]! += g[i]!;
    });
    const lossSum = replies.reduce((a, r) => a + r.lossSum, 0);
    return { loss: objective === 'mean' ? lossSum / totalTokens : lossSum, tokens: totalTokens, grads: sum };
  }

  /** One data-parallel AdamW step on the windows (mean NLL), with global-norm clipping. */
  async trainStep(windows: readonly number[][], adam: AdamOptions, lr: number, clipNorm = 1): Promise<StepResult> {
    const { loss, tokens, grads } = await this.gradients(windows, 'mean');
    let sq = 0;
    for (let i = 0; i < grads.length; i++) sq += grads[i]! * grads[i]!;
    const gradNorm = Math.sqrt(sq);
    const gradScale = clipNorm > 0 && gradNorm > clipNorm ? clipNorm / gradNorm : 1;
    await this.#broadcast({ op: 'apply', adam, lr, gradScale });
    return { loss, tokens, gradNorm };
  }

  /** Per-window NLL, in the order of `windows`. */
  async nll(windows: readonly number[][]): Promise<WindowNll[]> {
    const shards = this.#shards(windows);
    const replies = await Promise.all(
      shards.map((shard, k) =>
        shard.length === 0
          ? Promise.resolve({ op: 'nll', windows: [] } as WorkerReply)
          : this.#call(k, { op: 'nll', windows: shard, batchSize: this.#batchSize }),
      ),
    );
    return replies.flatMap((r) => (r as Extract<WorkerReply, { op: 'nll' }>).windows);
  }

  /** Frozen-entry masks for later train steps (true/1 = frozen). An empty list unfreezes everything. */
  async setMasks(masks: ReadonlyMap<string, Uint8Array>): Promise<void> {
    await this.#broadcast({ op: 'masks', masks: [...masks].map(([name, data]) => ({ name, data })) });
  }

  /** Replaces some weights on every replica. */
  async setWeights(weights: ReadonlyMap<string, Float32Array>): Promise<void> {
    await this.#broadcast({ op: 'setWeights', weights: [...weights].map(([name, data]) => ({ name, data })) });
  }

  /** The current weights (from worker 0; all replicas are identical). */
  async weights(): Promise<Map<string, HostTensor>> {
    const r = (await this.#call(0, { op: 'getWeights' })) as Extract<WorkerReply, { op: 'weights' }>;
    return new Map(this.layout.map((l, k) => [l.name, { shape: l.shape, data: r.weights[k]! }]));
  }

  /** The optimizer state (from worker 0). */
  async adamState(): Promise<AdamState> {
    const r = (await this.#call(0, { op: 'getAdam' })) as Extract<WorkerReply, { op: 'adam' }>;
    return {
      step: r.step,
      m: new Map(this.layout.map((l, k) => [l.name, r.m[k]!])),
      v: new Map(this.layout.map((l, k) => [l.name, r.v[k]!])),
    };
  }

  /** Restores optimizer state on every replica (resuming training). */
  async loadAdamState(adam: AdamOptions, state: AdamState): Promise<void> {
    const pick = (m: Map<string, Float32Array>) => this.layout.map((l) => m.get(l.name) ?? new Float32Array(l.size));
    await this.#broadcast({ op: 'setAdam', adam, step: state.step, m: pick(state.m), v: pick(state.v) });
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
