import { z } from 'zod';
import { firstIssue } from '../util/zod-issue.js';

/**
 * How importance is measured, with the paper's defaults. The authors' script runs forward/backward over
 * 10,000 and 100,000 samples at fixed weights and saves `grad * param` after each; which of the two the
 * tables use is unconfirmed, so the token budget is a setting (default 100,000 tokens, the larger one).
 */
export const IMPORTANCE_DEFAULTS = {
  /** Text tokens scored per language (BOS excluded). */
  maxTokens: 100_000,
  /** Tokens per window, BOS included. */
  seqLen: 128,
  /** Windows per forward/backward pass. Changes only float summation order. */
  batchSize: 8,
} as const;

/** Settings of {@link computeImportance}; every field may be left out (see {@link IMPORTANCE_DEFAULTS}). */
export interface ImportanceOptions {
  /** Score at most this many text tokens (text input only; default 100,000). */
  maxTokens?: number;
  /** Tokens per window including BOS (text input only; default 128). */
  seqLen?: number;
  /** Windows per forward/backward pass (default 8). */
  batchSize?: number;
  /** HF names of the weights to score (default: every weight of the model). */
  weights?: readonly string[];
  /**
   * Slices the weights' gradients are computed in: the windows are read once per slice, each pass computing and
   * summing one slice's gradients only (slices are contiguous in checkpoint order and about equal in parameters),
   * so a pass holds 1/k of the gradients for up to k times the time (less: a slice of late layers skips the
   * backward below it). The map is the same, bit for bit. Default: the fewest slices whose job fits the memory
   * available now (`importanceSlices`, ../engine/memory.ts).
   */
  gradientSlices?: number;
  /** Called after each pass with (windows done, windows total). */
  onProgress?: (done: number, total: number) => void;
}

const settingsSchema = z.object({
  maxTokens: z.number().int().min(1).default(IMPORTANCE_DEFAULTS.maxTokens),
  seqLen: z.number().int().min(2).default(IMPORTANCE_DEFAULTS.seqLen),
  batchSize: z.number().int().min(1).default(IMPORTANCE_DEFAULTS.batchSize),
  weights: z.array(z.string()).min(1).optional(),
  gradientSlices: z.number().int().min(1).max(1024).optional(),
});

/** Validated settings (defaults filled in). */
export type ImportanceSettings = z.infer<typeof settingsSchema>;

/**
 * Validates the settings at the boundary.
 * @throws Error naming the setting and what it must be, e.g. `importance setting seqLen: Too small…`.
 */
export function parseImportanceSettings(options: ImportanceOptions): ImportanceSettings {
  const { onProgress: _ignored, ...data } = options;
  const parsed = settingsSchema.safeParse(data);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error, data);
    const value = (data as Record<string, unknown>)[String(issue.top)];
    throw new Error(`importance setting ${issue.field}: ${issue.message} (got ${JSON.stringify(value)})`);
  }
  return parsed.data;
}
