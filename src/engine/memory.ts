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

/** What a forward pass of `tokens` tokens holds at its peak, roughly: a few [tokens, max(ffn, vocab)] float32 buffers. */
export function activationBytes(config: ModelConfig, tokens: number): number {
  return 3 * tokens * Math.max(config.intermediateSize, config.vocabSize) * 4;
}

/** What a job holds at its peak: float32 copies of the weights (named), other weight-sized parts, and the activations of `tokens` tokens. */
export interface MemoryNeed {
  /** Float32 copies of the weights held at once. */
  copies: number;
  /** What the copies are, for the message (default: "one copy" / "N copies"). */
  copiesAre?: string;
  /** Further weight-sized float32 parts held besides, each named (importance maps, a gradient pass…). */
  also?: readonly WeightSized[];
  tokens: number;
  /** Memory available (default: {@link availableMemory}). */
  available?: number | AvailableMemory;
}

/** A part of a job's memory that is `copies` float32 copies of the weights. */
export interface WeightSized {
  what: string;
  copies: number;
}

/**
 * What computing importance holds besides the weights: the gradient sum and one batch's gradients twice
 * (ours and the engine's during the run). TinyLlama-1.1B's shape peaked at 17.5 GiB ≈ four copies with the weights.
 */
export const IMPORTANCE_PASS: WeightSized = { what: "one importance pass (the gradient sum and one batch's gradients, ours and the engine's)", copies: 3 };

/** The problem, in words, when `need` exceeds the memory available; null when it fits. */
export function memoryShortfall(config: ModelConfig, need: MemoryNeed): string | null {
  const params = parameterCount(config);
  const weights = params * 4 * need.copies;
  const also = (need.also ?? []).map((p) => ({ ...p, bytes: params * 4 * p.copies }));
  const activations = activationBytes(config, need.tokens);
  const total = weights + also.reduce((a, p) => a + p.bytes, 0) + activations;
  const available = typeof need.available === 'number' ? { bytes: need.available, source: undefined } : (need.available ?? availableMemory());
  if (total <= available.bytes) return null;
  const copies = need.copiesAre ?? (need.copies === 1 ? 'one copy' : `${need.copies} copies`);
  return (
    `${params.toLocaleString('en-US')} parameters need ${gb(weights)} as float32 (${copies})` +
    also.map((p) => ` plus ${gb(p.bytes)} for ${p.what}`).join('') +
    ` plus about ${gb(activations)} of activations for ${need.tokens} tokens${also.length > 0 ? `, ${gb(total)} in all` : ''}, ` +
    `more than the ${gb(available.bytes)} this machine has available${available.source === undefined ? '' : ` (${available.source})`}`
  );
}

/**
 * Throws a {@link CheckpointError} naming the checkpoint, its parameter count and the memory it needs,
 * part by part, when `need` exceeds the memory available.
 */
export function assertFits(dir: string, config: ModelConfig, need: MemoryNeed): void {
  const problem = memoryShortfall(config, need);
  if (problem !== null) throw new CheckpointError(dir, problem);
}
