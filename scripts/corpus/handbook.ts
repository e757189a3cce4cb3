import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Doc } from './document.js';
import { type BlockRules, extractBlocks } from './markup.js';

const BLOCKS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'dt', 'td', 'th']);
const SKIPPED = new Set(['head', 'pre', 'script', 'style']);
/** Navigation, tables of contents, link boxes and figures: no running text. */
const SKIPPED_CLASSES = new Set(['docnav', 'toc', 'url', 'mediaobject']);
/** The keyword index repeats index terms, not prose. */
const SKIPPED_FILES = new Set(['ix01.html']);

function classes(attrs: Record<string, string>): string[] {
  return (attrs['class'] ?? '').split(/\s+/);
}

/** How debian-handbook's DocBook-generated XHTML holds its prose. */
export const HANDBOOK_RULES: BlockRules = {
  isBlock: (name, attrs) => BLOCKS.has(name) || (name === 'div' && classes(attrs).includes('para')),
  isSkipped: (name, attrs) =>
    SKIPPED.has(name) ||
    attrs['id'] === 'banner' ||
    attrs['id'] === 'title' ||
    classes(attrs).some((c) => SKIPPED_CLASSES.has(c)),
};

/**
 * The Debian Administrator's Handbook in one language: one document per HTML page, keyed by the
 * page's file name (the same in every language).
 *
 * @param root - the unpacked `debian-handbook` package.
 * @param locale - folder under `usr/share/doc/debian-handbook/html/`, e.g. `zh-CN` or `en-US`.
 */
export function handbookDocuments(root: string, locale: string): Doc[] {
  const dir = join(root, 'usr/share/doc/debian-handbook/html', locale);
  if (!existsSync(dir)) throw new Error(`debian-handbook: no folder ${dir} for locale "${locale}"`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.html') && !SKIPPED_FILES.has(f))
    .sort()
    .map((file) => ({
      source: 'debian-handbook',
      key: file,
      lines: extractBlocks(readFileSync(join(dir, file), 'utf8'), HANDBOOK_RULES),
    }));
}
