import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Doc } from './document.js';
import { type BlockRules, extractBlocks } from './markup.js';

const BLOCKS = new Set(['p', 'title', 'subtitle', 'desc', 'item', 'td', 'th', 'cite']);
/** Authorship and revision metadata, XInclude/ITS plumbing, editorial comments, media, video captions. */
const SKIPPED = new Set([
  'credit',
  'mal:credit',
  'revision',
  'include',
  'its:rules',
  'comment',
  'media',
  'tt:tt',
  'screen',
  'synopsis',
]);

/** How Mallard (`.page`) help topics hold their prose. */
export const MALLARD_RULES: BlockRules = {
  isBlock: (name) => BLOCKS.has(name),
  isSkipped: (name, attrs, inBlock) =>
    SKIPPED.has(name) ||
    (name === 'code' && !inBlock) ||
    // Alternative link and sort titles in <info> repeat the page title.
    (name === 'title' && attrs['type'] !== undefined),
};

/**
 * GNOME's user documentation in one language: one document per Mallard `.page` file of each help
 * book (gnome-help, system-admin-guide), keyed `<book>/<file>`.
 *
 * @param root - the unpacked `gnome-user-docs` package.
 * @param locale - folder under `usr/share/help/`, e.g. `zh_CN`, or `C` for the English original.
 */
export function gnomeDocuments(root: string, locale: string): Doc[] {
  const dir = join(root, 'usr/share/help', locale);
  if (!existsSync(dir)) throw new Error(`gnome-user-docs: no folder ${dir} for locale "${locale}"`);
  const docs: Doc[] = [];
  for (const book of readdirSync(dir).sort()) {
    for (const file of readdirSync(join(dir, book)).filter((f) => f.endsWith('.page')).sort()) {
      docs.push({
        source: 'gnome-user-docs',
        key: `${book}/${file}`,
        lines: extractBlocks(readFileSync(join(dir, book, file), 'utf8'), MALLARD_RULES),
      });
    }
  }
  return docs;
}
