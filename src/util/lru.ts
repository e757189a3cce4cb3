/**
 * A memo of promised values bounded by bytes: least recently used entries go first once the resolved
 * values' sizes add up to more than `maxBytes` (the newest entry always stays, whatever its size). A
 * rejected entry is dropped, so the next `get` misses and the caller recomputes. What it evicts is only
 * forgotten: a caller holding the value keeps it.
 */
export class ByteLru<K, V> {
  readonly #entries = new Map<K, { value: Promise<V>; bytes: number }>();
  #bytes = 0;

  constructor(
    /** The most bytes of resolved values kept. */
    readonly maxBytes: number,
    /** The bytes a value holds. */
    readonly sizeOf: (value: V) => number,
  ) {}

  /** The bytes the resolved values held now add up to. */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The memoised promise, now the most recently used; undefined if none. */
  get(key: K): Promise<V> | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return e.value;
  }

  /** The memoised promise for `key`, or `make()`'s, memoised. */
  getOrSet(key: K, make: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = make();
    const entry = { value, bytes: 0 };
    this.#entries.set(key, entry);
    value.then(
      (v) => {
        if (this.#entries.get(key) !== entry) return; // evicted or replaced meanwhile
        entry.bytes = this.sizeOf(v);
        this.#bytes += entry.bytes;
        this.#evict(key);
      },
      () => this.delete(key, entry),
    );
    return value;
  }

  /** Forgets `key` (only the entry given, when one is). */
  delete(key: K, only?: { value: Promise<V>; bytes: number }): void {
    const e = this.#entries.get(key);
    if (e === undefined || (only !== undefined && e !== only)) return;
    this.#entries.delete(key);
    this.#bytes -= e.bytes;
  }

  /** Drops least recently used entries (never `keep`) while over the budget. */
  #evict(keep: K): void {
    for (const [key, e] of this.#entries) {
      if (this.#bytes <= this.maxBytes) return;
      if (key === keep) continue;
      this.#entries.delete(key);
      this.#bytes -= e.bytes;
    }
  }
}
