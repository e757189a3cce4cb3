/**
 * The one key of every cached result (perplexity, importance, Wanda, the detectors, further pre-training).
 *
 * The rule: a key holds every input that changes the result's bits, and nothing else —
 * - `computation` and its code **revision** ({@link REVISIONS}: bump it when that computation's code changes
 *   its numbers, so results computed before are recomputed, never served);
 * - the **checkpoint**'s content hash (config.json, the weights, tokenizer.json and tokenizer_config.json:
 *   ../checkpoint/hash.ts);
 * - the exact **token windows** read, by {@link windowsHash} of their ids — never the text, so another
 *   tokenizer, BOS rule or tokenizer library version that tokenizes differently gives another key;
 * - the **engine** that computed it: its name and device in words (CPU model or GPU, ONNX Runtime version,
 *   execution provider, thread count — one engine's kernels round differently on another CPU, provider or
 *   thread count: measured, the forward's bits change with the thread count);
 * - every other **setting** that changes the numbers (batch size included: sums are formed per pass).
 * Built only here, so no cache can key on less.
 */
import { createHash } from 'node:crypto';

/**
 * Code revisions of the cached computations. Bump one when a change to its code changes its numbers (the
 * unit tests of a computation pin its numbers, so such a change shows up there first).
 */
export const REVISIONS = {
  perplexity: 1,
  /** The gradient graph's revision is part of this one (../engine/onnx/autodiff.ts GRADIENT_REVISION enters the settings). */
  importance: 1,
  wanda: 1,
  detect: 1,
  further: 1,
} as const;

/** A cached computation. */
export type Computation = keyof typeof REVISIONS;

/** What ran a computation, as the key records it. */
export interface EngineKey {
  /** e.g. `ort-cpu`, `wasm`. */
  name: string;
  /** e.g. `CPU: AMD EPYC (ONNX Runtime 1.30.0, cpu execution provider, 2 threads)`. */
  device: string;
}

/** Everything a key holds (see the rule above). */
export interface CacheKeyInputs {
  computation: Computation;
  /** The checkpoint's content hash. */
  checkpoint: string;
  /** {@link windowsHash} of the windows read, or one per named set of windows (e.g. by language). */
  windows: string | Readonly<Record<string, string>>;
  engine: EngineKey;
  /** Every other setting that changes the numbers (plain JSON). */
  settings: Readonly<Record<string, unknown>>;
  /** Overrides the computation's entry in {@link REVISIONS} (tests). */
  revision?: number | string;
}

/** sha256 (hex) of token windows: each window's length and ids, in order. */
export function windowsHash(windows: readonly (readonly number[])[]): string {
  const hash = createHash('sha256');
  for (const w of windows) {
    hash.update(new Uint8Array(new Uint32Array([w.length]).buffer));
    hash.update(new Uint8Array(Int32Array.from(w).buffer));
  }
  return hash.digest('hex');
}

/** JSON with object keys sorted, so the key does not depend on the order a caller built its settings in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** The key (sha256, hex) of a cached result: see the rule in this module's comment. */
export function cacheKey(inputs: CacheKeyInputs): string {
  const { revision, ...rest } = inputs;
  return createHash('sha256')
    .update(canonical({ ...rest, revision: revision ?? REVISIONS[inputs.computation] }))
    .digest('hex');
}
