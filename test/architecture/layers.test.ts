/**
 * Data flows one way: each folder of src/ may import only from the folders below it in LAYERS (and from
 * itself). A new import from a higher layer to a lower one's folder fails here, naming the file and the
 * import — so the layering README and src/index.ts describe stays true.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

/** Lowest first. `(root)` is src/index.ts, the library's entry. */
const LAYERS = [
  'util',
  'checkpoint',
  'cache',
  'tokenizer',
  'corpus',
  'backend',
  'model',
  'engine',
  'metrics',
  'importance',
  'regions',
  'perturb',
  'region-data',
  'dims',
  'detect',
  'train',
  'vitest',
  'report',
  'cli',
  '(root)',
] as const;

/** Upward imports still there, each with why; the list only shrinks (none now). */
const KNOWN_UPWARD: string[] = [];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const folderOf = (file: string) => {
  const rel = relative(SRC, file);
  return rel.includes('/') ? rel.split('/')[0]! : '(root)';
};

/** Every relative import (static, dynamic, type-only, re-export) of every source file, resolved. */
function imports(): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      out.push({ from: file, to: resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')) });
    }
  }
  return out;
}

describe('src/ layering', () => {
  const all = imports();

  it('every folder of src/ is in LAYERS', () => {
    const folders = new Set(sources(SRC).map(folderOf));
    expect([...folders].filter((f) => !(LAYERS as readonly string[]).includes(f))).toEqual([]);
  });

  it('no import goes from a lower layer up to a higher one (but the known ones)', () => {
    const rank = (f: string) => (LAYERS as readonly string[]).indexOf(f);
    const upward = all
      .filter(({ from, to }) => folderOf(from) !== folderOf(to) && rank(folderOf(to)) > rank(folderOf(from)))
      .map(({ from, to }) => `${relative(SRC, from)} -> ${relative(SRC, to)}`);
    expect(upward.filter((u) => !KNOWN_UPWARD.includes(u))).toEqual([]);
    // A known one that is gone must leave the list, so the list cannot hide a new one of the same name.
    expect(KNOWN_UPWARD.filter((k) => !upward.includes(k))).toEqual([]);
  });

  it('imports resolve to files that exist (the check sees every import)', () => {
    const missing = all.filter(({ to }) => {
      try {
        return !statSync(to).isFile();
      } catch {
        return true;
      }
    });
    expect(missing.map(({ from, to }) => `${relative(SRC, from)} -> ${relative(SRC, to)}`)).toEqual([]);
  });
});
