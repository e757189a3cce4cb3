/**
 * The two measurements of the GPU benchmark: a GPU provider against ort-cpu on one small model (logits and
 * every gradient), and tokens/s of a forward (windowNll) or forward+backward (lossAndGrads) on one model,
 * with the bytes each run moved between the host and the device.
 */
import type { Windows } from '../../src/model/batch.js';
import { OrtModel, type OrtProvider, type Transfers } from '../../src/engine/onnx/ort-model.js';
import { mulberry32 } from '../../src/util/random.js';
import { relativeToMax } from '../../src/util/stats.js';


/** Uniform random token windows [batch][seq] from a seed. */
export function randomWindows(batch: number, seq: number, vocab: number, seed: number): number[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: batch }, () => Array.from({ length: seq }, () => Math.floor(rng() * vocab)));
}

/** One comparison against ort-cpu, with its tolerance. */
export interface Agreement {
  maxRelative: number;
  limit: number;
  ok: boolean;
  /** The tensor with the largest relative error (gradients). */
  worst?: string;
}

function agreement(maxRelative: number, limit: number, worst?: string): Agreement {
  // A NaN error fails: !(x <= limit), not x > limit.
  return { maxRelative, limit, ok: !!(maxRelative <= limit), ...(worst !== undefined && { worst }) };
}

/**
 * Tolerances, relative to each tensor's largest entry: float32 on another device rounds differently (fused
 * multiply-adds, other reduction orders, its own exp). On lavapipe the fixture stays within 1e-6 (NLL) and
 * 5e-6 (importance) of ort-cpu (test/engine/ort-webgpu.test.ts); a GPU's reductions get more room.
 */
export const LIMITS = { logits: 1e-5, loss: 1e-5, grads: 1e-4 } as const;

/** Logits, loss and every gradient of `provider` against ort-cpu on the same weights and windows. */
export async function compareWithCpu(
  model: Pick<OrtModel, 'config' | 'weights'>,
  provider: OrtProvider,
  windows: Windows,
): Promise<{ logits: Agreement; loss: Agreement; grads: Agreement }> {
  const cpu = new OrtModel(model.config, model.weights, { provider: 'cpu' });
  const gpu = new OrtModel(model.config, model.weights, { provider });
  try {
    const logits = relativeToMax(await gpu.logits(windows), await cpu.logits(windows));
    const g = await gpu.lossAndGrads(windows);
    const c = await cpu.lossAndGrads(windows);
    let worst = '';
    let worstError = -1;
    for (const [name, expected] of c.grads) {
      const error = relativeToMax(g.grads.get(name) ?? [], expected);
      if (!(error <= worstError)) [worst, worstError] = [name, error];
    }
    return {
      logits: agreement(logits, LIMITS.logits),
      loss: agreement(Math.abs(g.loss - c.loss) / Math.abs(c.loss), LIMITS.loss),
      grads: agreement(worstError, LIMITS.grads, worst),
    };
  } finally {
    await Promise.all([cpu.release(), gpu.release()]);
  }
}

/** What one run moved (the difference of {@link OrtModel.transfers} across it; zeros on the CPU). */
export type RunTransfers = Omit<Transfers, 'runs'>;

/** Timed runs of one kind on one model. */
export interface Throughput {
  kind: 'forward' | 'forward+backward';
  batch: number;
  seq: number;
  /** Predicted tokens per run: batch · (seq − 1). */
  tokensPerRun: number;
  /** Each run's wall time; the first includes building the session (and, on a GPU, uploading the weights). */
  runs: { seconds: number; transfers: RunTransfers }[];
  /** From the fastest run after the first, or from the first where only one ran. */
  tokensPerSecond: number;
  /** Whether tokensPerSecond comes from the first run alone (session build and uploads included). */
  firstRunOnly: boolean;
}

/**
 * Runs `kind` on `windows` until `maxRuns` have run or another run would pass `deadline` (a performance.now()
 * time), at least once. A run in progress cannot be stopped: the caller's budget leaves room for one.
 */
export async function throughput(
  model: OrtModel,
  kind: Throughput['kind'],
  windows: Windows,
  deadline: number,
  maxRuns = 4,
): Promise<Throughput> {
  const batch = windows.length;
  const seq = windows[0]!.length;
  const runs: Throughput['runs'] = [];
  do {
    const before = model.transfers;
    const t0 = performance.now();
    if (kind === 'forward') await model.windowNll(windows);
    else await model.lossAndGrads(windows);
    const seconds = (performance.now() - t0) / 1000;
    const after = model.transfers;
    runs.push({
      seconds,
      transfers: {
        weightBytes: after.weightBytes - before.weightBytes,
        inputBytes: after.inputBytes - before.inputBytes,
        outputBytes: after.outputBytes - before.outputBytes,
      },
    });
    const next = runs.length === 1 ? seconds : Math.min(...runs.slice(1).map((r) => r.seconds));
    if (performance.now() + next * 1000 > deadline) break;
  } while (runs.length < maxRuns);
  const tokensPerRun = batch * (seq - 1);
  const best = runs.length > 1 ? Math.min(...runs.slice(1).map((r) => r.seconds)) : runs[0]!.seconds;
  return { kind, batch, seq, tokensPerRun, runs, tokensPerSecond: tokensPerRun / best, firstRunOnly: runs.length === 1 };
}
