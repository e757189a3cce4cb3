import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The 30 evaluation languages of the paper (ISO 639-1). */
export const PAPER_LANGUAGES = [
  'ar', 'zh', 'cs', 'da', 'nl', 'en', 'fi', 'fr', 'de', 'el', 'hu', 'id', 'it', 'ja', 'ko',
  'ms', 'ml', 'no', 'fa', 'pl', 'pt', 'ro', 'ru', 'es', 'sw', 'sv', 'ta', 'tr', 'uk', 'vi',
] as const;

/** The six languages the paper finds regions with. */
export const REGION_LANGUAGES = ['ar', 'es', 'ru', 'zh', 'ko', 'vi'] as const;

/** Languages present in a texts folder (one `<lang>.txt` per language), sorted. */
export function listLanguages(dir: string): string[] {
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
export function readTexts(dir: string, languages?: readonly string[]): Map<string, string> {
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
