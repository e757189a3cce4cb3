import { describe, expect, it } from 'vitest';
import { ByteLru } from '../../src/util/lru.js';

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('ByteLru', () => {
  it('keeps resolved values within the byte budget, dropping the least recently used first', async () => {
    const lru = new ByteLru<string, Uint8Array>(10, (v) => v.byteLength);
    for (const k of ['a', 'b', 'c']) lru.getOrSet(k, async () => new Uint8Array(4));
    await settle();
    expect(lru.bytes).toBe(8); // a went when c came: 12 > 10
    expect(lru.get('a')).toBeUndefined();
    lru.get('b'); // b is now the most recently used: d evicts c
    lru.getOrSet('d', async () => new Uint8Array(4));
    await settle();
    expect([lru.get('b') !== undefined, lru.get('c') !== undefined, lru.get('d') !== undefined]).toEqual([true, false, true]);
  });

  it('keeps the newest entry even when it alone is over the budget, and memoises while pending', async () => {
    const lru = new ByteLru<string, Uint8Array>(10, (v) => v.byteLength);
    let calls = 0;
    const make = async () => {
      calls++;
      return new Uint8Array(50);
    };
    const p = lru.getOrSet('big', make);
    expect(lru.getOrSet('big', make)).toBe(p);
    await settle();
    expect([calls, lru.size, lru.bytes]).toEqual([1, 1, 50]);
  });

  it('forgets a rejected entry, so the next call computes again', async () => {
    const lru = new ByteLru<string, number>(10, () => 1);
    await expect(lru.getOrSet('x', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await settle();
    expect(lru.get('x')).toBeUndefined();
    await expect(lru.getOrSet('x', async () => 7)).resolves.toBe(7);
  });
});
