import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../checkpoint/safetensors.js';
import { jsonHash } from '../../util/hash.js';

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

/**
 * A folder of JSON results keyed by a content hash of what determines them (`what`, any JSON):
 * `<dir>/<name>-<sha256(what)>.json` holding `{ key, what, value }`. A file that does not parse or holds
 * another key is ignored (and overwritten). Writes are atomic, so parallel workers never read half a file.
 * Disabled, it reads nothing and writes nothing. Infinity and NaN survive the round trip.
 */
export class JsonCache {
  constructor(
    readonly dir: string,
    readonly enabled = true,
  ) {}

  #file(name: string, key: string): string {
    return join(this.dir, `${name}-${key}.json`);
  }

  /** The stored value, or undefined (none, damaged, or the cache is disabled). */
  read<T>(name: string, what: unknown): T | undefined {
    if (!this.enabled) return undefined;
    const key = jsonHash(what);
    const file = this.#file(name, key);
    if (!existsSync(file)) return undefined;
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8'), reviver) as { key?: unknown; value?: T };
      return stored.key === key ? stored.value : undefined;
    } catch {
      return undefined; // damaged: the caller recomputes and overwrites it
    }
  }

  write(name: string, what: unknown, value: unknown): void {
    if (!this.enabled) return;
    const key = jsonHash(what);
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(this.#file(name, key), (fd) => writeFileSync(fd, `${JSON.stringify({ key, what, value }, replacer)}\n`, 'utf8'));
  }

  /** The stored value, or `compute()`'s result, stored. */
  async getOrCompute<T>(name: string, what: unknown, compute: () => Promise<T>): Promise<T> {
    const stored = this.read<T>(name, what);
    if (stored !== undefined) return stored;
    const value = await compute();
    this.write(name, what, value);
    return value;
  }
}
