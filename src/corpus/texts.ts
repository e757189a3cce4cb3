import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The 30 evaluation languages of the paper (ISO 639-1). */
export const PAPER_LANGUAGES = [
  'ar', 'zh', 'cs', 'da', 'nl', 'en', 'fi', 'fr', 'de', 'el', 'hu', 'id', 'it', 'ja', 'ko',
  'ms', 'ml', 'no', 'fa', 'pl', 'pt', 'ro', 'ru', 'es', 'sw', 'sv', 'ta', 'tr', 'uk', 'vi',
] as const;

/** The six languages the paper finds regions with. */
export const REGION_LANGUAGES = ['ar', 'es', 'ru', 'zh', 'ko', 'vi'] as const;

/**
 * Texts that ship with the package, by name: `udhr`, the Universal Declaration of Human Rights in the paper's
 * 30 languages (fixtures/corpora/eval; sources and licences in fixtures/corpora/SOURCES.md). Anywhere a texts
 * folder is asked for, the name stands for its folder (write `./udhr` for a folder of that name).
 */
export const BUILTIN_TEXTS: Readonly<Record<string, string>> = {
  udhr: fileURLToPath(new URL('../../fixtures/corpora/eval', import.meta.url)),
};

/** The folder of a texts folder path or built-in name ({@link BUILTIN_TEXTS}). */
export function textsFolder(pathOrName: string): string {
  return Object.hasOwn(BUILTIN_TEXTS, pathOrName) ? BUILTIN_TEXTS[pathOrName]! : pathOrName;
}

/** Languages present in a texts folder (one `<lang>.txt` per language; or a built-in name), sorted. */
export function listLanguages(pathOrName: string): string[] {
  const dir = textsFolder(pathOrName);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: texts folder not found`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/**
 * Reads `<dir>/<lang>.txt` for each language (all languages in the folder by default).
 * A missing or empty file is an error naming it and listing what the folder has.
 */
export function readTexts(pathOrName: string, languages?: readonly string[]): Map<string, string> {
  const dir = textsFolder(pathOrName);
  const available = listLanguages(dir);
  const wanted = languages ?? available;
  const texts = new Map<string, string>();
  for (const lang of wanted) {
    const file = join(dir, `${lang}.txt`);
    if (!available.includes(lang)) {
      throw new Error(`${file}: no text for language "${lang}" (the folder has: ${available.join(', ') || 'nothing'})`);
    }
    const text = readFileSync(file, 'utf8');
    if (text.trim() === '') throw new Error(`${file}: the text for language "${lang}" is empty`);
    texts.set(lang, text);
  }
  return texts;
}
