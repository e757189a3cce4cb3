import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The three corpus splits, each a folder of `<lang>.txt` files. */
export const SPLITS = ['train', 'heldout', 'eval'] as const;
export type SplitName = (typeof SPLITS)[number];

/** Folders of the general English prose (general.ts), relative to the corpus folder. */
export const GENERAL_SPLITS = ['general/train', 'general/heldout'] as const;

/** Empties the split folders of `outDir` of `.txt` files, so that no stale language file survives. */
export function resetCorpusDir(outDir: string): void {
  for (const split of [...SPLITS, ...GENERAL_SPLITS]) {
    const dir = join(outDir, split);
    mkdirSync(dir, { recursive: true });
    for (const file of readdirSync(dir)) if (file.endsWith('.txt')) rmSync(join(dir, file));
  }
}

/** Writes one language's split as UTF-8, one line per entry, newline-terminated. */
export function writeCorpusFile(outDir: string, split: SplitName | (typeof GENERAL_SPLITS)[number], lang: string, lines: readonly string[]): void {
  writeFileSync(join(outDir, split, `${lang}.txt`), lines.map((l) => `${l}\n`).join(''), 'utf8');
}

/** Writes a JSON file with two-space indentation and a final newline. */
export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
}
