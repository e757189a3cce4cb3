/**
 * Whether a checkpoint fits this machine, decided from config.json alone before any weight is read: a
 * checkpoint too large fails with its parameter count and the memory it needs, never with "Aborted()".
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { expectedWeightShapes, type ModelConfig } from '../checkpoint/config.js';
import { CheckpointError } from '../checkpoint/errors.js';

/** Parameters the model has (tied embeddings counted once). */
export function parameterCount(config: ModelConfig): number {
  let n = 0;
  for (const shape of expectedWeightShapes(config).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

/** Memory the OS can give this process now: MemAvailable on Linux, else the total. */
export function availableMemory(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return totalmem();
}

/** What a forward pass of `tokens` tokens holds at its peak, roughly: a few [tokens, max(ffn, vocab)] float32 buffers. */
export function activationBytes(config: ModelConfig, tokens: number): number {
  return 3 * tokens * Math.max(config.intermediateSize, config.vocabSize) * 4;
}

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** What a job holds at its peak: `copies` float32 copies of the weights (each named) plus the activations of `tokens` tokens. */
export interface MemoryNeed {
  copies: number;
  tokens: number;
  /** What the copies are, for the message (default: "one copy" / "N copies"). */
  copiesAre?: string;
  available?: number;
}

/** The problem, in words, when `need` exceeds the memory available; null when it fits. */
export function memoryShortfall(config: ModelConfig, need: MemoryNeed): string | null {
  const params = parameterCount(config);
  const weights = params * 4 * need.copies;
  const activations = activationBytes(config, need.tokens);
  const available = need.available ?? availableMemory();
  if (weights + activations <= available) return null;
  const copies = need.copiesAre ?? (need.copies === 1 ? 'one copy' : `${need.copies} copies`);
  return (
    `${params.toLocaleString('en-US')} parameters need ${gb(weights)} as float32 (${copies}) ` +
    `plus about ${gb(activations)} of activations for ${need.tokens} tokens, more than the ${gb(available)} this machine has available`
  );
}

/**
 * Throws a {@link CheckpointError} naming the checkpoint, its parameter count and the memory it needs
 * when `copies` float32 copies of the weights plus the activations of `tokens` tokens exceed `available`.
 */
export function assertFits(dir: string, config: ModelConfig, need: MemoryNeed): void {
  const problem = memoryShortfall(config, need);
  if (problem !== null) throw new CheckpointError(dir, problem);
}
