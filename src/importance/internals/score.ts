import { batchWindows } from '../../corpus/windows.js';
import type { EngineModel } from '../../engine/select.js';
import type { ImportanceMap } from '../types.js';
import type { ImportanceOptions, ImportanceSettings } from '../settings.js';
import { windowsHash } from '../../cache/key.js';
import { predictedTokens } from '../windows.js';
import { interruptible } from '../../util/interrupt.js';

/**
 * What computes the gradients: ONNX Runtime (its gradient graph, both cores through intra-op threads), or
 * the in-process tfjs model (a named tfjs backend; one thread on wasm).
 */
export type ImportanceEngine = EngineModel;

/** The objective whose gradient importance uses: Σ over windows of each window's mean NLL. */
export const IMPORTANCE_OBJECTIVE = 'sum-of-window-means';

/** HF name → shape of every weight the engine holds, in checkpoint order. */
export function engineShapes(engine: ImportanceEngine): Map<string, number[]> {
  return new Map(engine.weightNames().map((n) => [n, [...engine.weightShape(n)]]));
}

/**
 * The weights to score: `settings.weights`, each checked against the model's, or all of them.
 * @throws Error naming a weight the model does not have.
 */
export function scoredNames(shapes: ReadonlyMap<string, readonly number[]>, settings: ImportanceSettings): string[] {
  const names = settings.weights ?? [...shapes.keys()];
  for (const n of names) {
    if (!shapes.has(n)) throw new Error(`importance: the model has no weight named ${n} (it has ${[...shapes.keys()].join(', ')})`);
  }
  return names;
}

/**
 * Σ-gradient accumulators by name, and the summed objective. The sums are float32: the first pass's gradient
 * arrays become the accumulators, so the peak holds the weights, one accumulator and one pass's gradients —
 * what lets a 1.1 B-parameter model's importance fit in 24 GB (a float64 sum would add two copies' worth).
 * Over the ~100 passes of 100k tokens, float32 summation moves a sum by ~√n·2⁻²⁴ ≈ 1e-6 relative.
 */
interface Accumulated {
  grads: Map<string, Float32Array>;
  loss: number;
}

/** Adds one pass's gradients into the accumulators (the first pass's arrays become them). */
function accumulate(sums: Map<string, Float32Array>, name: string, g: Float32Array): void {
  const acc = sums.get(name);
  if (acc === undefined) {
    sums.set(name, g);
    return;
  }
  for (let i = 0; i < acc.length; i++) acc[i]! += g[i]!;
}

/** "importance for en (batch 12 of 40)": where a signal stopped the loop (../../util/interrupt.ts). */
const atBatch = (job: ScoreJob, k: number, batches: number) => () => `importance for ${job.language} (batch ${k + 1} of ${batches})`;

/** The summed gradients of `names` over the windows, batch by batch on the engine (host arrays either way). */
async function accumulateGrads(engine: ImportanceEngine, windows: number[][], names: readonly string[], job: ScoreJob): Promise<Accumulated> {
  const grads = new Map<string, Float32Array>();
  let loss = 0;
  let done = 0;
  const batches = batchWindows(windows, job.settings.batchSize);
  return interruptible(async (check) => {
    for (const [k, batch] of batches.entries()) {
      await check(atBatch(job, k, batches.length));
      const r = await engine.hostLossAndGrads(batch, IMPORTANCE_OBJECTIVE, names);
      loss += r.loss;
      for (const name of names) accumulate(grads, name, r.grads.get(name)!);
      r.grads.clear(); // this pass's arrays are the accumulators' or garbage now, not at the next pass
      done += batch.length;
      job.onProgress?.(done, windows.length);
    }
    return { grads, loss };
  });
}

async function weightValues(engine: ImportanceEngine, names: readonly string[]): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const n of names) out.set(n, await engine.readWeight(n));
  return out;
}

/** What {@link scoreWindows} needs besides the engine and the windows. */
export interface ScoreJob {
  language: string;
  checkpointHash: string;
  settings: ImportanceSettings;
  /** True when the caller gave the windows (seqLen and maxTokens did not apply). */
  givenWindows: boolean;
  onProgress: ImportanceOptions['onProgress'];
}

/** |θ ⊙ g| over the windows (see computeImportance), with its provenance. */
export async function scoreWindows(engine: ImportanceEngine, windows: number[][], job: ScoreJob): Promise<ImportanceMap> {
  const { settings } = job;
  const shapes = engineShapes(engine);
  const names = scoredNames(shapes, settings);
  const { grads, loss } = await accumulateGrads(engine, windows, names, job);
  const theta = await weightValues(engine, names);

  const scores: ImportanceMap['scores'] = new Map();
  for (const name of names) {
    const g = grads.get(name)!;
    const w = theta.get(name)!;
    const data = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) data[i] = Math.abs(w[i]! * g[i]!);
    scores.set(name, { shape: shapes.get(name)!, data });
  }
  const given = job.givenWindows ? 'given windows' : undefined;
  return {
    languages: [job.language],
    scores,
    provenance: {
      score: '|θ ⊙ g|',
      objective: IMPORTANCE_OBJECTIVE,
      language: job.language,
      checkpoint: job.checkpointHash,
      windows_sha256: windowsHash(windows),
      windows: String(windows.length),
      tokens: String(predictedTokens(windows)),
      seq_len: given ?? String(settings.seqLen),
      max_tokens: given ?? String(settings.maxTokens),
      weights: settings.weights === undefined ? 'all' : JSON.stringify(settings.weights),
      mean_window_nll: String(loss / windows.length),
      backend: engine.description,
    },
  };
}
