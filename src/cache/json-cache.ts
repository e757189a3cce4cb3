import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../checkpoint/safetensors.js';
import { cacheKey, type CacheKeyInputs } from './key.js';

// JSON has no Infinity or NaN (JSON.stringify writes null): they are stored as {"$number": "Infinity"} and read back.
const NON_FINITE = '$number';
const replacer = (_key: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [NON_FINITE]: String(v) } : v);
const reviver = (_key: string, v: unknown) => {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const keys = Object.keys(v);
    const s = (v as Record<string, unknown>)[NON_FINITE];
    if (keys.length === 1 && (s === 'Infinity' || s === '-Infinity' || s === 'NaN')) return Number(s);
  }
  return v;
};

/** Says that a cache file could not be written (the result is still returned): a warning, not an error. */
export type CacheWarn = (message: string) => void;

/** The default {@link CacheWarn}: a process warning of type RegionsCacheWarning. */
export const warnCacheWrite: CacheWarn = (message) => process.emitWarning(message, 'RegionsCacheWarning');

/**
 * A folder of JSON results keyed by {@link cacheKey} of what determines them:
 * `<dir>/<computation>-<key>.json` holding `{ key, inputs, value }`. A file that does not parse or holds
 * another key is ignored (and overwritten). Writes are atomic, so parallel workers never read half a file,
 * and a write that fails (disk full, read-only folder) is a warning: the computed result is kept.
 * Disabled, it reads nothing and writes nothing. Infinity and NaN survive the round trip.
 */
export class JsonCache {
  constructor(
    readonly dir: string,
    readonly enabled = true,
    readonly warn: CacheWarn = warnCacheWrite,
  ) {}

  #file(inputs: CacheKeyInputs, key: string): string {
    return join(this.dir, `${inputs.computation}-${key}.json`);
  }

  /** The stored value, or undefined (none, damaged, or the cache is disabled). */
  read<T>(inputs: CacheKeyInputs): T | undefined {
    if (!this.enabled) return undefined;
    const key = cacheKey(inputs);
    const file = this.#file(inputs, key);
    if (!existsSync(file)) return undefined;
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8'), reviver) as { key?: unknown; value?: T };
      return stored.key === key ? stored.value : undefined;
    } catch {
      return undefined; // damaged: the caller recomputes and overwrites it
    }
  }

  /** Stores `value` under the key of `inputs`; a failure to write is warned about, not thrown. */
  write(inputs: CacheKeyInputs, value: unknown): void {
    if (!this.enabled) return;
    const key = cacheKey(inputs);
    const file = this.#file(inputs, key);
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileAtomic(file, (fd) => writeFileSync(fd, `${JSON.stringify({ key, inputs, value }, replacer)}\n`, 'utf8'));
    } catch (err) {
      this.warn(`regions: could not write the cache file ${file} (${(err as Error).message}); the result is used but not cached`);
    }
  }

  /** The stored value, or `compute()`'s result, stored. */
  async getOrCompute<T>(inputs: CacheKeyInputs, compute: () => Promise<T>): Promise<T> {
    const stored = this.read<T>(inputs);
    if (stored !== undefined) return stored;
    const value = await compute();
    this.write(inputs, value);
    return value;
  }
}
