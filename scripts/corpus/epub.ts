import { readFileSync } from 'node:fs';
import type { Doc } from './document.js';
import { extractBlocks } from './markup.js';
import { readZip } from './zip.js';

const BLOCKS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'dt', 'dd', 'td', 'th', 'figcaption']);
const SKIPPED = new Set(['head', 'pre', 'script', 'style', 'nav']);
/** Sphinx's navigation pages: tables of contents and the general index. */
const SKIPPED_FILES = new Set(['nav.xhtml', 'genindex.xhtml', 'index.xhtml']);

/**
 * The chapters of an EPUB book (a Sphinx-built manual such as eyes17's): one document per XHTML
 * chapter, keyed `<source>/<chapter file>`, in file-name order; navigation pages are left out.
 */
export function epubDocuments(file: string, source: string): Doc[] {
  return readZip(readFileSync(file), file)
    .filter((e) => e.name.endsWith('.xhtml') && !SKIPPED_FILES.has(e.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => ({
      source,
      key: e.name,
      lines: extractBlocks(e.data.toString('utf8'), {
        isBlock: (name) => BLOCKS.has(name),
        isSkipped: (name) => SKIPPED.has(name),
      }),
    }));
}
