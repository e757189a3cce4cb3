/**
 * Whether a checkpoint fits this machine, decided from config.json alone before any weight is read: a
 * checkpoint too large fails with its parameter count and the memory it needs, never with "Aborted()".
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { expectedWeightShapes, type ModelConfig } from '../checkpoint/config.js';
import { CheckpointError } from '../checkpoint/errors.js';

/** Parameters the model has (tied embeddings counted once). */
export function parameterCount(config: ModelConfig): number {
  let n = 0;
  for (const shape of expectedWeightShapes(config).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** Where the memory figures come from; tests give their own. */
export interface MemorySources {
  /** The text of /proc/meminfo, or undefined off Linux. */
  meminfo(): string | undefined;
  /** `process.constrainedMemory()`: the cgroup's limit; 0, undefined or ~2⁶⁴ when there is none. */
  constrained(): number | undefined;
  /** The text of a file under /sys/fs/cgroup (e.g. `memory.max`), or undefined when it cannot be read. */
  cgroupFile(path: string): string | undefined;
  /** This process's resident set size. */
  rss(): number;
  total(): number;
}

const readOrUndefined = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** This machine. */
export const SYSTEM_MEMORY: MemorySources = {
  meminfo: () => readOrUndefined('/proc/meminfo'),
  // Node ≥ 19.6; experimental, hence the optional call.
  constrained: () => (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.(),
  cgroupFile: (path) => readOrUndefined(join('/sys/fs/cgroup', path)),
  rss: () => process.memoryUsage.rss(),
  total: () => totalmem(),
};

/** Memory this process can still take, and where that figure comes from (for messages). */
export interface AvailableMemory {
  bytes: number;
  /** e.g. "MemAvailable", or "the cgroup's limit of 8.0 GiB less 3.1 GiB in use". */
  source: string;
}

/** A limit no cgroup sets: "max" in cgroup v2, ~2⁶³ or ~2⁶⁴ in v1 and from constrainedMemory(). */
const NO_LIMIT = 2 ** 60;
const bytesIn = (value: number | string | undefined): number | undefined => {
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  return n !== undefined && Number.isFinite(n) && n > 0 && n < NO_LIMIT ? n : undefined;
};

/** The cgroup's limit and what it uses now, each from the same source; undefined without a limit. */
function cgroupLimit(sources: MemorySources): { limit: number; used: number } | undefined {
  const constrained = bytesIn(sources.constrained());
  if (constrained !== undefined) return { limit: constrained, used: sources.rss() };
  for (const [max, current] of [['memory.max', 'memory.current'], ['memory/memory.limit_in_bytes', 'memory/memory.usage_in_bytes']]) {
    const limit = bytesIn(sources.cgroupFile(max!));
    if (limit !== undefined) return { limit, used: bytesIn(sources.cgroupFile(current!)) ?? sources.rss() };
  }
  return undefined;
}

/**
 * Memory this process can take before the kernel kills it: MemAvailable on Linux (else the total), but no
 * more than its cgroup's limit less what is used — in a container MemAvailable is the host's. The limit is
 * `process.constrainedMemory()` less this process's RSS; else cgroup v2's memory.max less memory.current,
 * or v1's memory.limit_in_bytes less memory.usage_in_bytes (under /sys/fs/cgroup).
 */
export function availableMemory(sources: MemorySources = SYSTEM_MEMORY): AvailableMemory {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(sources.meminfo() ?? '');
  const free: AvailableMemory = m ? { bytes: Number(m[1]) * 1024, source: 'MemAvailable' } : { bytes: sources.total(), source: 'total memory' };
  const cgroup = cgroupLimit(sources);
  if (cgroup === undefined) return free;
  const left = Math.max(0, cgroup.limit - cgroup.used);
  return left < free.bytes ? { bytes: left, source: `the cgroup's limit of ${gb(cgroup.limit)} less ${gb(cgroup.used)} in use` } : free;
}

/** Which engine holds the weights: ONNX Runtime reads the host arrays in place; tfjs holds its own copy (two while uploading). */
export type MemoryEngine = 'onnxruntime' | 'tfjs';

/**
 * A job, as the memory model needs to know it: what it computes (forward passes; importance: gradient passes summed
 * into maps; training: AdamW steps), on which engine, and how many windows of how many tokens each pass reads.
 */
export type MemoryJob =
  /** Perplexity, every perturbation, the detectors. */
  | { kind: 'forward'; engine: MemoryEngine; batch: number; seqLen: number }
  /**
   * Gradient passes summed into a map, `gradientPasses` of them one after another (default 1), with `maps` finished
   * importance maps held besides; `processes` run side by side (default 1); the gradients computed in `slices`
   * (default 1: all at once; see {@link weightSlices}).
   */
  | ImportanceMemoryJob
  /** Further pre-training: a copy of the weights, AdamW's two moments, one batch's gradients. */
  | { kind: 'training'; engine: MemoryEngine; batch: number; seqLen: number };

/** An importance job (see {@link MemoryJob}). */
export interface ImportanceMemoryJob {
  kind: 'importance';
  engine: MemoryEngine;
  batch: number;
  seqLen: number;
  maps: number;
  gradientPasses?: number;
  processes?: number;
  slices?: number;
}

/**
 * The weights cut into `k` slices for importance: contiguous runs in checkpoint order, each closed once it holds
 * its share (1/k) of the parameters, so a slice is never more than its share plus one tensor. Fewer than `k` when
 * there are fewer tensors. What ../importance/ computes a pass's gradients of, and what the memory model counts.
 */
export function weightSlices(shapes: ReadonlyMap<string, readonly number[]>, k: number): string[][] {
  const size = (name: string) => shapes.get(name)!.reduce((a, b) => a * b, 1);
  const names = [...shapes.keys()];
  const total = names.reduce((n, name) => n + size(name), 0);
  const slices: string[][] = [];
  let current: string[] = [];
  let done = 0;
  for (const name of names) {
    current.push(name);
    done += size(name);
    if (done >= (total * (slices.length + 1)) / k && slices.length < k - 1) {
      slices.push(current);
      current = [];
    }
  }
  if (current.length > 0) slices.push(current);
  return slices;
}

/** Parameters of the largest of `k` slices ({@link weightSlices}) of `config`'s weights. */
function largestSlice(config: ModelConfig, k: number): number {
  const shapes = expectedWeightShapes(config);
  const size = (name: string) => shapes.get(name)!.reduce((a, b) => a * b, 1);
  return Math.max(...weightSlices(shapes, k).map((slice) => slice.reduce((n, name) => n + size(name), 0)));
}

/** Gradient passes over `tokens` tokens of text cut into windows of `seqLen` (BOS + seqLen − 1 tokens), `batch` windows a pass. */
export function gradientPasses(tokens: number, batch: number, seqLen: number): number {
  return Math.max(1, Math.ceil(Math.ceil(tokens / Math.max(1, seqLen - 1)) / batch));
}

/** One part of a job's peak: what it is, in words, and its bytes. */
export interface MemoryPart {
  what: string;
  bytes: number;
}

/** What a job holds at its peak, part by part. */
export interface MemoryEstimate {
  parameters: number;
  parts: MemoryPart[];
  total: number;
}

/**
 * Node, ONNX Runtime and its sessions, the tokenizer and the texts: what a run holds besides weights and activations.
 * Measured: `regions ppl` on the SmolLM2-135M shape peaks at 0.66 GiB over two windows, its float32 weights 0.50 GiB.
 */
export const RUNTIME_BYTES = 0.16 * 2 ** 30;

/** The float32 elements of one chunk of logits (../model/causal-lm.ts computes the LM head 64 MiB at a time). */
const LOGITS_CHUNK_ELEMENTS = (64 * 2 ** 20) / 4;

/**
 * A forward pass's activations at their peak: one layer's at a time (ONNX Runtime frees a layer's values once read)
 * — its FFN's gate, up and product, a few residual-width values, the attention scores and probabilities — and one
 * chunk of logits.
 */
export function forwardActivationBytes(config: ModelConfig, batch: number, seqLen: number): number {
  const tokens = batch * seqLen;
  const layer = tokens * (3 * config.intermediateSize + 6 * config.hiddenSize) + 2 * batch * config.numHeads * seqLen * seqLen;
  return 4 * (layer + Math.min(tokens * config.vocabSize, LOGITS_CHUNK_ELEMENTS));
}

/**
 * What a gradient pass holds besides the weights' copies, per token: a share of each layer's FFN-wide, residual-wide
 * and attention values, and some copies of the logits row (the logits, their softmax and log-softmax, the gradients
 * of each). The two coefficients are measured, not derived (docs/performance.md, "Memory and plan"): at 8 windows of 128
 * tokens the SmolLM2-135M shape's importance run holds 0.92 GiB beyond its four copies of the weights and the runtime,
 * the Qwen3-0.6B shape's 5.1 GiB — the logits (vocab 151,936) dominate. Growth with the batch is steeper than linear
 * (at 2, 8, 16 and 32 windows: 0.06, 0.92, 3.45 and 8.6 GiB on the 135M shape): beyond 8 windows it grows as
 * (batch / 8)^1.5, fitted to that shape alone.
 */
export const GRADIENT_ACTIVATIONS = { perLayer: 0.1, perVocab: 8 } as const;

export function gradientActivationBytes(config: ModelConfig, batch: number, seqLen: number): number {
  const layer = 4 * config.intermediateSize + 8 * config.hiddenSize + 3 * config.numHeads * seqLen;
  const perToken = 4 * (GRADIENT_ACTIVATIONS.perLayer * config.numLayers * layer + GRADIENT_ACTIVATIONS.perVocab * config.vocabSize);
  // Linear up to 8 windows; beyond, as the 135M shape grew (×3.75 at 16 windows, ×9.3 at 32): (batch / 8)^1.5.
  return batch <= GRADIENT_LINEAR_UP_TO ? perToken * batch * seqLen : perToken * GRADIENT_LINEAR_UP_TO * seqLen * (batch / GRADIENT_LINEAR_UP_TO) ** 1.5;
}

/**
 * What a run of gradient passes holds beyond one pass's peak, in multiples of a pass's activations: the resident set
 * grows over the first passes as the activations' blocks, freed and allocated again at every run, fragment the heap
 * (glibc raises its mmap threshold as large blocks are freed, and mid-size blocks then come from the heap; a fixed
 * `MALLOC_MMAP_THRESHOLD_` avoids most of it, docs/performance.md). Measured over 4 batches, against one: the
 * SmolLM2-135M shape grew by 2.1 GiB (k = 1 slice), the TinyLlama-1.1B shape's peak reached 12.8 GiB (4 slices)
 * against 11.2 GiB over one batch; 1.8 activations' worth keeps each within 15%.
 */
export const MULTI_PASS_GROWTH_ACTIVATIONS = 1.8;

/**
 * Copies of a slice's gradients a pass holds at its peak: the engine's outputs and their JavaScript copies. Measured
 * on the SmolLM2-135M shape, and in the TinyLlama-1.1B shape's peaks: 17.07, 13.20 and 11.22 GiB in 1, 2 and 4 slices,
 * each step down about two copies of the parameters the slice no longer holds (docs/performance.md, "Memory and plan").
 */
export const SLICE_GRADIENT_COPIES = 2;

/**
 * With the gradients in slices, how much of the smaller of a slice's gradients and a pass's activations adds to the
 * larger at the pass's peak. Fitted to the TinyLlama-1.1B (2 and 4 slices) and Qwen2.5-1.5B (2 and 4) shapes: the
 * measured peaks grew by half the smaller part or less (docs/performance.md, "Memory and plan"). All at once (one
 * slice) the two add up whole, as the SmolLM2-135M and Qwen3-0.6B shapes measured.
 */
export const SLICED_OVERLAP = 0.5;

/** Slice counts tried, fewest first, when importance chooses how many slices fit ({@link importanceSlices}). */
const SLICE_CHOICES = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32];

/**
 * The fewest slices ({@link weightSlices}) whose importance job fits: whose estimate, less the `held` bytes the process
 * already holds of it (the weights, the runtime, once a model is open), is within `available`. The most slices tried
 * when none fits (then the job's memory check says by how much).
 */
export function importanceSlices(config: ModelConfig, job: ImportanceMemoryJob, available: number, held = 0): number {
  for (const k of SLICE_CHOICES) if (estimateMemory(config, { ...job, slices: k }).total - held <= available) return k;
  return SLICE_CHOICES.at(-1)!;
}

/** What an open model already holds of an importance job's estimate: its weights as float32 and the runtime. */
export function heldByOpenModel(config: ModelConfig): number {
  return parameterCount(config) * 4 + RUNTIME_BYTES;
}

/** Windows per gradient pass up to which its activations were measured to grow linearly. */
const GRADIENT_LINEAR_UP_TO = 8;

/**
 * What `job` holds at its peak on `config`'s model, part by part: the one memory model the CLI, the subject, the
 * importance processes and the trainer check against (and `regions plan` prints). Weights are held as float32
 * whatever the checkpoint stores. Figures measured against it: docs/performance.md, "Memory and plan".
 */
export function estimateMemory(config: ModelConfig, job: MemoryJob): MemoryEstimate {
  const parameters = parameterCount(config);
  const copy = parameters * 4;
  const tfjs = job.engine === 'tfjs';
  const parts: MemoryPart[] = [{ what: tfjs ? 'the weights as float32, twice while tfjs uploads them' : 'the weights as float32', bytes: copy * (tfjs ? 2 : 1) }];
  const tokens = `${job.batch} window${job.batch === 1 ? '' : 's'} of ${job.seqLen} tokens`;
  if (job.kind === 'forward') {
    parts.push({ what: `the activations of a forward pass over ${tokens}`, bytes: forwardActivationBytes(config, job.batch, job.seqLen) });
  } else if (job.kind === 'importance') {
    const processes = job.processes ?? 1;
    if (job.maps > 0) parts.push({ what: `${job.maps} importance map${job.maps === 1 ? '' : 's'} held`, bytes: copy * job.maps });
    if (processes > 1) parts.push({ what: `the weights again in ${processes - 1} more importance process${processes === 2 ? '' : 'es'}`, bytes: copy * (processes - 1) });
    const slices = job.slices ?? 1;
    parts.push({ what: `the gradient sum${processes === 1 ? '' : 's'}, finished into the map${processes === 1 ? '' : 's'}`, bytes: copy * processes });
    const each = processes === 1 ? '' : `, in each of ${processes} processes`;
    const gradients = SLICE_GRADIENT_COPIES * 4 * largestSlice(config, slices);
    const activations = gradientActivationBytes(config, job.batch, job.seqLen);
    const passOver = `${processes === 1 ? 'a gradient pass' : `${processes} gradient passes`} over ${tokens}`;
    if (slices === 1) {
      parts.push({ what: `one pass's gradients of every weight, ours and the engine's${each}`, bytes: gradients * processes });
      parts.push({ what: `the activations of ${passOver}`, bytes: activations * processes });
    } else {
      // A slice's gradients come out during part of the backward only, and peak apart from the activations: the
      // larger of the two counts whole, the smaller at SLICED_OVERLAP.
      const ofSlice = `one pass's gradients of the largest of ${slices} slices of the weights, ours and the engine's${each}`;
      const ofPass = `the activations of ${passOver}`;
      const [whole, part] = gradients >= activations ? [[ofSlice, gradients], [ofPass, activations]] as const : [[ofPass, activations], [ofSlice, gradients]] as const;
      parts.push({ what: whole[0], bytes: whole[1] * processes });
      parts.push({ what: `${part[0]}, at ${SLICED_OVERLAP * 100}% (the two peak apart)`, bytes: SLICED_OVERLAP * part[1] * processes });
    }
    if ((job.gradientPasses ?? 1) > 1) {
      parts.push({
        what: `the allocator's growth over ${job.gradientPasses} passes (measured: docs/performance.md, "Memory and plan")`,
        bytes: MULTI_PASS_GROWTH_ACTIVATIONS * gradientActivationBytes(config, job.batch, job.seqLen) * processes,
      });
    }
  } else {
    parts.push({ what: "the trained copy of the weights, AdamW's two moments, and one batch's gradients twice (ours and the engine's)", bytes: 5 * copy });
    parts.push({ what: `the activations of a gradient pass over ${tokens}`, bytes: gradientActivationBytes(config, job.batch, job.seqLen) });
  }
  parts.push({ what: 'the runtime (Node, ONNX Runtime, the tokenizer, the texts)', bytes: RUNTIME_BYTES });
  return { parameters, parts, total: parts.reduce((n, p) => n + p.bytes, 0) };
}

/** The problem, in words, when `job` would need more than the memory available; null when it fits. */
export function memoryShortfall(config: ModelConfig, job: MemoryJob, available: number | AvailableMemory = availableMemory()): string | null {
  const estimate = estimateMemory(config, job);
  const room = typeof available === 'number' ? { bytes: available, source: undefined } : available;
  if (estimate.total <= room.bytes) return null;
  return (
    `${estimate.parameters.toLocaleString('en-US')} parameters: ${describeJob(job)} would hold ` +
    estimate.parts.map((p) => `${gb(p.bytes)} for ${p.what}`).join(', ') +
    `; ${gb(estimate.total)} in all, more than the ${gb(room.bytes)} this machine has available${room.source === undefined ? '' : ` (${room.source})`}`
  );
}

/** "importance", "a forward pass", "training": the job in a word or two. */
function describeJob(job: MemoryJob): string {
  return job.kind === 'forward' ? 'forward passes' : job.kind === 'importance' ? 'computing importance' : 'further pre-training';
}

/**
 * Throws a {@link CheckpointError} naming the checkpoint, its parameter count and the memory the job needs, part
 * by part, when it exceeds the memory available — and the command that finds a setting that fits.
 */
export function assertFits(dir: string, config: ModelConfig, job: MemoryJob, available?: number | AvailableMemory): void {
  const problem = memoryShortfall(config, job, available);
  if (problem !== null) throw new CheckpointError(dir, `${problem}. \`regions plan --checkpoint ${dir}\` lists settings that fit`);
}
