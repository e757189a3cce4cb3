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
  'subject',
  'findings',
  'vitest',
  'report',
  'plan',
  'cli',
  '(root)',
] as const;

/** Upward imports still there, each with why; the list only shrinks (none now). */
const KNOWN_UPWARD: string[] = [];

/** Import circles between files still there (each a sorted list of the files in one circle); the list only shrinks (none now). */
const KNOWN_CIRCLES: string[][] = [];

/** The strongly connected components of more than one file (Tarjan), each sorted: the import circles. */
function circles(edges: readonly { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(relative(SRC, w));
    } while (w !== v);
    if (component.length > 1) out.push(component.sort());
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

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

/** Every relative import (static, dynamic, type-only, re-export) of every source file, resolved; `loads`: a static, not type-only one. */
function imports(): { from: string; to: string; loads: boolean }[] {
  const out: { from: string; to: string; loads: boolean }[] = [];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/[^;'`]*?(from\s+|import\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      // Type-only imports load nothing; a dynamic import( ) loads when it runs, not with the module.
      const typeOnly = /^\s*(?:import|export) type /.test(m[0]);
      out.push({ from: file, to: resolve(dirname(file), m[2]!.replace(/\.js$/, '.ts')), loads: !typeOnly && m[1]!.startsWith('from') });
    }
  }
  return out;
}

/** The files a module loads when imported, itself included (type-only and dynamic imports load nothing then). */
function loadedBy(entry: string, edges: readonly { from: string; to: string; loads: boolean }[]): Set<string> {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    for (const { to } of edges.filter((e) => e.from === file && e.loads)) if (!seen.has(to)) queue.push(seen.add(to) && to);
  }
  return seen;
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

  it('no import circle between files (type-only imports included), but the known ones', () => {
    expect(circles(all)).toEqual(KNOWN_CIRCLES);
  });

  it('no file reaches into another folder\'s internals/', () => {
    const reaching = all.filter(({ from, to }) => {
      const at = to.indexOf('/internals/');
      return at >= 0 && !from.startsWith(`${to.slice(0, at)}/`);
    });
    expect(reaching.map(({ from, to }) => `${relative(SRC, from)} -> ${relative(SRC, to)}`)).toEqual([]);
  });

  it('the engines are told apart by `kind`, never by class, outside src/engine/', () => {
    const byClass = sources(SRC)
      .filter((file) => !relative(SRC, file).startsWith('engine/'))
      .flatMap((file) => (/instanceof (OrtModel|LlamaModel)\b/.test(readFileSync(file, 'utf8')) ? [relative(SRC, file)] : []));
    expect(byClass).toEqual([]);
  });

  it('the report loads the findings\' catalog and records, never a model, an engine or a measurement', () => {
    const loaded = [...loadedBy(join(SRC, 'report/index.ts'), all)].map((f) => relative(SRC, f));
    expect(loaded.filter((f) => /^(backend|model|engine|importance|train|subject|vitest)\//.test(f) || /^findings\/(index|subject|measure\/(?!format|result))/.test(f))).toEqual([]);
  });

  it('tfjs loads only when asked for: no entry but vitest-regions/tfjs imports @tensorflow/* (the engine starts it by name)', () => {
    const entries = ['index.ts', 'vitest/index.ts', 'vitest/standalone.ts', 'vitest/plugin.ts', 'cli/main.ts', 'report/index.ts'];
    const loadsTfjs = (file: string) => /^(?:import|export)(?! type)[^;]*?from\s+'@tensorflow\//m.test(readFileSync(file, 'utf8'));
    const offenders = entries.flatMap((entry) => [...loadedBy(join(SRC, entry), all)].filter(loadsTfjs).map((f) => `${entry} loads ${relative(SRC, f)}`));
    expect(offenders).toEqual([]);
    // …and the check sees a static tfjs import where there is one.
    expect([...loadedBy(join(SRC, 'tfjs.ts'), all)].some(loadsTfjs)).toBe(true);
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
