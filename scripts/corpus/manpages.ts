import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Doc } from './document.js';
import { roffToParagraphs } from './roff.js';

/**
 * Translated man pages of one language: one document per page, keyed `<section dir>/<page>` (e.g.
 * `man1/mkdir.1`). Pages are read as UTF-8 (as Debian ships them); `.so` redirects give no document.
 *
 * @param root - the unpacked `manpages-<xx>` package.
 * @param dir - folder under `usr/share/man/`, e.g. `ro` or `pt_BR`.
 */
export function manpageDocuments(root: string, dir: string, source: string): Doc[] {
  const base = join(root, 'usr/share/man', dir);
  if (!existsSync(base)) throw new Error(`${source}: no folder ${base}`);
  const docs: Doc[] = [];
  for (const section of readdirSync(base).filter((d) => d.startsWith('man')).sort()) {
    for (const file of readdirSync(join(base, section)).sort()) {
      const path = join(base, section, file);
      const raw = readFileSync(path);
      const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      const lines = roffToParagraphs(text);
      if (lines.length > 0) docs.push({ source, key: `${section}/${file.replace(/\.gz$/, '')}`, lines });
    }
  }
  return docs;
}
