/** Window policies: BOS + chunk, and — for a tokenizer without BOS — stream windows overlapping by one context token. */
import { describe, expect, test } from 'vitest';
import { textWindows } from '../../src/corpus/windows.js';
import type { TextTokenizer } from '../../src/tokenizer/tokenizer.js';

/** One id per character (its code point), decoding back. */
function charTokenizer(bosId: number | null): TextTokenizer {
  return {
    encode: (text) => [...text].map((c) => c.codePointAt(0)!),
    decode: (ids) => String.fromCodePoint(...ids),
    bosId,
    eosId: null,
    addsBos: false,
    size: 0x110000,
    file: 'chars.json',
  };
}

describe('textWindows', () => {
  test('with a BOS: BOS + chunks of seqLen − 1, every token predicted once', () => {
    const w = textWindows('abcdefg', charTokenizer(1), { seqLen: 4 });
    expect(w.windows).toEqual([[1, 97, 98, 99], [1, 100, 101, 102], [1, 103, 10]]);
    expect(w.tokens).toBe(8);
    expect(w.bytes).toBe(8);
  });

  test('without a BOS: windows of the stream, each led by the previous window’s last token; the first token is context only', () => {
    const w = textWindows('abcdefg', charTokenizer(null), { seqLen: 4 });
    expect(w.windows).toEqual([[97, 98, 99, 100], [100, 101, 102, 103], [103, 10]]);
    const predicted = w.windows.reduce((n, x) => n + x.length - 1, 0);
    expect(w.tokens).toBe(predicted);
    expect(w.tokens).toBe(7);
    expect(w.bytes).toBe(7); // "bcdefg\n": the first token's byte is not scored
    expect(textWindows('a', charTokenizer(null), { seqLen: 4 })).toEqual({ windows: [[97, 10]], tokens: 1, bytes: 1 });
  });
});
