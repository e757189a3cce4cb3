import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LANGUAGES, REGION_LANGUAGES } from '../../scripts/corpus/languages.js';
import type { CorpusStats } from '../../scripts/corpus/sources-md.js';

/**
 * Checks the committed corpus under fixtures/corpora/ (built by scripts/corpus/build.ts). Reads
 * files only; never touches the network.
 */
const root = join(import.meta.dirname, '../../fixtures/corpora');
const KB = 1024;

function path(split: 'train' | 'heldout' | 'eval', lang: string): string {
  return join(root, split, `${lang}.txt`);
}

function lines(split: 'train' | 'heldout' | 'eval', lang: string): string[] {
  const file = path(split, lang);
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n'), `${split}/${lang}.txt ends with a newline`).toBe(true);
  return text.slice(0, -1).split('\n');
}

const codes = LANGUAGES.map((l) => l.code);
const stats = JSON.parse(readFileSync(join(root, 'stats.json'), 'utf8')) as CorpusStats;

describe('fixtures/corpora', () => {
  it('has the 30 languages of the paper', () => {
    expect(codes).toHaveLength(30);
    expect(Object.keys(stats.languages).sort()).toEqual([...codes].sort());
  });

  it.each(codes)('eval/%s.txt is the UDHR, at least 8 KB', (lang) => {
    expect(statSync(path('eval', lang)).size).toBeGreaterThanOrEqual(8 * KB);
  });

  it.each(REGION_LANGUAGES)('train/%s.txt (region language) has at least 300 KB, held-out 20–50 KB', (lang) => {
    expect(statSync(path('train', lang)).size).toBeGreaterThanOrEqual(300 * KB);
    const heldout = statSync(path('heldout', lang)).size;
    expect(heldout).toBeGreaterThanOrEqual(20_000);
    expect(heldout).toBeLessThanOrEqual(50_000);
  });

  it.each(codes)('train/%s.txt exists and stays under the 1 MB cap', (lang) => {
    const size = statSync(path('train', lang)).size;
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThanOrEqual(1_000_000);
  });

  it('keeps the whole corpus small (≲ 20 MB)', () => {
    const total = codes
      .flatMap((lang) => (['train', 'heldout', 'eval'] as const).map((split) => path(split, lang)))
      .filter((file) => existsSync(file))
      .reduce((sum, file) => sum + statSync(file).size, 0);
    expect(total).toBeLessThanOrEqual(21_000_000);
  });

  it.each(codes)('%s: every line is NFC, trimmed, single-spaced, unique, and no eval line is trained on', (lang) => {
    const evalLines = lines('eval', lang);
    const heldout = lines('heldout', lang);
    const train = lines('train', lang);
    for (const [split, list] of [['eval', evalLines], ['heldout', heldout], ['train', train]] as const) {
      const bad = list.filter((l) => l !== l.normalize('NFC') || l !== l.trim() || l === '' || /\s\s|[\t\r]/.test(l));
      expect(bad.slice(0, 3), `${split}/${lang}.txt: lines not NFC / not trimmed / empty / with runs of spaces`).toEqual([]);
      expect(new Set(list).size, `${split}/${lang}.txt has duplicate lines`).toBe(list.length);
    }
    const trainSet = new Set(train);
    expect(evalLines.filter((l) => trainSet.has(l)), `eval lines found in train/${lang}.txt`).toEqual([]);
    expect(heldout.filter((l) => trainSet.has(l)), `held-out lines found in train/${lang}.txt`).toEqual([]);
    expect(evalLines.filter((l) => heldout.includes(l)), `eval lines found in heldout/${lang}.txt`).toEqual([]);
  });

  it.each(codes)('%s: no line is a bare URL', (lang) => {
    const urlOnly = /^(?:[a-z]+:\/\/|www\.)\S+$/i;
    expect(lines('train', lang).filter((l) => urlOnly.test(l))).toEqual([]);
  });

  it.each(codes)('%s: stats.json matches the files', (lang) => {
    const s = stats.languages[lang];
    expect(s).toBeDefined();
    for (const split of ['train', 'heldout', 'eval'] as const) {
      const file = path(split, lang);
      const size = existsSync(file) ? statSync(file).size : 0;
      expect(s?.splits[split].bytes, `${split}/${lang}.txt size vs stats.json`).toBe(size);
    }
  });
});

describe('fixtures/corpora/general (English general prose, phase 2 of the fixture model)', () => {
  const file = (split: 'train' | 'heldout') => join(root, 'general', split, 'en.txt');
  const read = (split: 'train' | 'heldout') => {
    const text = readFileSync(file(split), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    return text.slice(0, -1).split('\n');
  };

  it('has at least 300 KB of training text under the cap and 20–50 KB held out, as stats.json says', () => {
    const g = stats.general.en!;
    expect(statSync(file('train')).size).toBeGreaterThanOrEqual(300 * KB);
    expect(statSync(file('train')).size).toBeLessThanOrEqual(stats.settings.generalTrainCap);
    expect(statSync(file('heldout')).size).toBeGreaterThanOrEqual(20_000);
    expect(statSync(file('heldout')).size).toBeLessThanOrEqual(50_000);
    expect(g.splits.train.bytes).toBe(statSync(file('train')).size);
    expect(g.splits.heldout.bytes).toBe(statSync(file('heldout')).size);
  });

  it('is NFC, single-spaced and unique; no English UDHR line and no held-out line is trained on', () => {
    const train = read('train');
    const heldout = read('heldout');
    for (const list of [train, heldout]) {
      expect(list.filter((l) => l !== l.normalize('NFC') || l !== l.trim() || l === '' || /\s\s|[\t\r]/.test(l)).slice(0, 3)).toEqual([]);
      expect(new Set(list).size).toBe(list.length);
    }
    const trainSet = new Set(train);
    expect(heldout.filter((l) => trainSet.has(l))).toEqual([]);
    const udhr = lines('eval', 'en');
    expect(udhr.filter((l) => trainSet.has(l) || heldout.includes(l))).toEqual([]);
  });
});

describe('built-in texts', () => {
  it("'udhr' is the UDHR folder in the paper's 30 languages, wherever a texts folder is asked for", async () => {
    const { BUILTIN_TEXTS, PAPER_LANGUAGES, listLanguages, readTexts, textsFolder } = await import('../../src/corpus/texts.js');
    expect(textsFolder('udhr')).toBe(join(import.meta.dirname, '../../fixtures/corpora/eval'));
    expect(BUILTIN_TEXTS.udhr).toBe(textsFolder('udhr'));
    expect(listLanguages('udhr')).toEqual([...PAPER_LANGUAGES].sort());
    expect(readTexts('udhr', ['en']).get('en')).toContain('Universal Declaration of Human Rights');
    expect(textsFolder('./udhr')).toBe('./udhr'); // a folder of that name, not the built-in
    expect(() => listLanguages('./udhr')).toThrow(/\.\/udhr: texts folder not found/);
  });
});
