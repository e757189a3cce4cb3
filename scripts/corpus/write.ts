import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The three corpus splits, each a folder of `<lang>.txt` files. */
export const SPLITS = ['train', 'heldout', 'eval'] as const;
export type SplitName = (typeof SPLITS)[number];

/** Empties the split folders of `outDir` of `.txt` files, so that no stale language file survives. */
export function resetCorpusDir(outDir: string): void {
  for (const split of SPLITS) {
    const dir = join(outDir, split);
    mkdirSync(dir, { recursive: true });
    for (const file of readdirSync(dir)) if (file.endsWith('.txt')) rmSync(join(dir, file));
  }
}

/** Writes one language's split as UTF-8, one line per entry, newline-terminated. */
export function writeCorpusFile(outDir: string, split: SplitName, lang: string, lines: readonly string[]): void {
  writeFileSync(join(outDir, split, `${lang}.txt`), lines.map((l) => `${l}\n`).join(''), 'utf8');
}

/** Writes a JSON file with two-space indentation and a final newline. */
export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
}
