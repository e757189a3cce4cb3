import { batchWindows } from '../../corpus/windows.js';
import type { EngineModel } from '../../engine/select.js';
import type { ImportanceMap } from '../types.js';
import type { ImportanceOptions, ImportanceSettings } from '../settings.js';
import { windowsHash } from '../../cache/key.js';
import { predictedTokens } from '../windows.js';
import { interruptible } from '../../util/interrupt.js';
import { availableMemory, heldByOpenModel, importanceSlices, weightSlices } from '../../engine/memory.js';

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
 * arrays become the accumulators, and each becomes its weight's scores in place once its slice is done, so the
 * peak holds the weights, the sums and one pass's gradients of one slice (a float64 sum would add two copies'
 * worth). Over the ~100 passes of 100k tokens, float32 summation moves a sum by ~√n·2⁻²⁴ ≈ 1e-6 relative.
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

/** "importance for en (batch 12 of 40, slice 2 of 4)": where a signal stopped the loop (../../util/interrupt.ts). */
const atBatch = (job: ScoreJob, k: number, batches: number, slice: Slice) => () =>
  `importance for ${job.language} (batch ${k + 1} of ${batches}${slice.count === 1 ? '' : `, slice ${slice.index + 1} of ${slice.count}`})`;

/** Which slice of the weights a pass computes the gradients of. */
interface Slice {
  names: readonly string[];
  index: number;
  count: number;
}

/** The summed gradients of a slice's weights over the windows, batch by batch on the engine (host arrays either way). */
async function accumulateGrads(engine: ImportanceEngine, windows: number[][], slice: Slice, job: ScoreJob): Promise<Accumulated> {
  const grads = new Map<string, Float32Array>();
  const { names } = slice;
  let loss = 0;
  let done = slice.index * windows.length;
  const batches = batchWindows(windows, job.settings.batchSize);
  return interruptible(async (check) => {
    for (const [k, batch] of batches.entries()) {
      await check(atBatch(job, k, batches.length, slice));
      const r = await engine.hostLossAndGrads(batch, IMPORTANCE_OBJECTIVE, names);
      loss += r.loss;
      for (const name of names) accumulate(grads, name, r.grads.get(name)!);
      r.grads.clear(); // this pass's arrays are the accumulators' or garbage now, not at the next pass
      done += batch.length;
      job.onProgress?.(done, windows.length * slice.count);
    }
    return { grads, loss };
  });
}

/**
 * How many slices to compute the gradients in: the setting, else the fewest whose job fits the memory available
 * now beyond what the open model holds (../../engine/memory.ts importanceSlices).
 */
export function chooseSlices(engine: ImportanceEngine, windows: readonly (readonly number[])[], settings: ImportanceSettings): number {
  if (settings.gradientSlices !== undefined) return settings.gradientSlices;
  const config = engine.config;
  const seqLen = windows.reduce((n, w) => Math.max(n, w.length), 2);
  const passes = Math.ceil(windows.length / settings.batchSize);
  const job = { kind: 'importance', engine: engine.kind === 'tfjs' ? 'tfjs' : 'onnxruntime', maps: 0, batch: settings.batchSize, seqLen, gradientPasses: passes } as const;
  return importanceSlices(config, job, availableMemory().bytes, heldByOpenModel(config));
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
  const scored = new Map(names.map((n) => [n, shapes.get(n)!]));
  const parts = weightSlices(scored, chooseSlices(engine, windows, settings));
  const data = new Map<string, Float32Array>();
  let loss = 0;
  for (const [index, names] of parts.entries()) {
    const slice = await accumulateGrads(engine, windows, { names, index, count: parts.length }, job);
    if (index === 0) loss = slice.loss; // every slice's pass computes the same loss
    for (const name of names) {
      // The sum becomes the scores in place: |θ ⊙ g|.
      const g = slice.grads.get(name)!;
      const w = await engine.readWeight(name);
      for (let i = 0; i < g.length; i++) g[i] = Math.abs(w[i]! * g[i]!);
      data.set(name, g);
    }
  }
  const scores: ImportanceMap['scores'] = new Map(names.map((name) => [name, { shape: shapes.get(name)!, data: data.get(name)! }]));
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
