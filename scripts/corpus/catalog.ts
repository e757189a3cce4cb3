import { readFileSync } from 'node:fs';
import type { Doc } from './document.js';
import { extractBlocks } from './markup.js';
import { parseMo } from './mo.js';

/** Block elements that UI strings sometimes carry (WordPress error pages, help texts). */
const BLOCKS = new Set(['root', 'p', 'li', 'h1', 'h2', 'h3', 'h4', 'dt', 'dd', 'td', 'th']);

/**
 * printf/ICU/LibreOffice placeholders (`%s`, `%1$d`, `{count}`, `$(ARG1)`, `%1`, `$1`, `#1`). A string
 * that still holds one after the known names are spelled out is a template, not a sentence: dropped.
 */
const PLACEHOLDER = /%(?:\d+\$)?[-+ 0#]*\d*(?:\.\d+)?[sdfuxXeEgGci%]|%\d|%[A-Z_]{2,}%?|\{[\w.]*\}|\$\([A-Z0-9_]+\)|\$\d|#\d/u;

/** Options of {@link catalogDocument}. */
export interface CatalogOptions {
  /** Count characters instead of words (Chinese and Japanese write without spaces). */
  unspaced: boolean;
  /** Literal replacements applied first, e.g. LibreOffice's `%PRODUCTNAME` → `LibreOffice`. */
  replacements?: Record<string, string>;
  /** Characters removed from every string, e.g. LibreOffice's `~` mnemonic marker. */
  strip?: RegExp;
}

/** Sentence-like: at least 5 words, or 12 characters in a language written without spaces. */
function isSentenceLike(line: string, unspaced: boolean): boolean {
  const text = line.trim();
  return unspaced ? [...text].length >= 12 : text.split(/\s+/).length >= 5;
}

function toLines(text: string, options: CatalogOptions): string[] {
  let s = text;
  for (const [from, to] of Object.entries(options.replacements ?? {})) s = s.split(from).join(to);
  if (options.strip) s = s.replace(options.strip, '');
  if (PLACEHOLDER.test(s)) return [];
  return extractBlocks(`<root>${s}</root>`, {
    isBlock: (name) => BLOCKS.has(name),
    isSkipped: (name) => name === 'script' || name === 'style' || name === 'pre',
  }).filter((line) => isSentenceLike(line, options.unspaced));
}

/**
 * The sentence-like translations of one gettext catalog as a document (the first plural form of each
 * translated message; markup removed, one block per line), together with the same treatment of the
 * English originals, so that untranslated strings can be recognised.
 */
export function catalogDocument(
  source: string,
  key: string,
  file: string,
  options: CatalogOptions,
): { doc: Doc; english: string[] } {
  const lines: string[] = [];
  const english: string[] = [];
  for (const message of parseMo(readFileSync(file), file)) {
    const translation = message.translations[0] ?? '';
    if (translation === '') continue;
    lines.push(...toLines(translation, options));
    english.push(...toLines(message.id, options));
  }
  return { doc: { source, key, lines }, english };
}
