import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { catalogDocument } from './catalog.js';
import type { Doc } from './document.js';

/**
 * LibreOffice's translated UI strings for one locale (`libreoffice-l10n-<locale>`): one document per
 * module catalog (`sw.mo`, `sc.mo`, …), keyed by the module name. `%PRODUCTNAME` is spelled out and
 * the mnemonic markers (`~`, `(~S)`) are removed before the sentence rules run.
 *
 * @param root - the unpacked `libreoffice-l10n-<locale>` package.
 * @param locale - folder under `usr/lib/libreoffice/program/resource/`, e.g. `pt-BR`.
 * @param unspaced - count characters instead of words (Chinese, Japanese).
 */
export function libreofficeDocuments(
  root: string,
  locale: string,
  unspaced: boolean,
): { docs: Doc[]; english: string[] } {
  const dir = join(root, 'usr/lib/libreoffice/program/resource', locale, 'LC_MESSAGES');
  if (!existsSync(dir)) throw new Error(`libreoffice-l10n: no folder ${dir}`);
  const docs: Doc[] = [];
  const english: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.mo')).sort()) {
    const catalog = catalogDocument('libreoffice-l10n', file.replace(/\.mo$/, ''), join(dir, file), {
      unspaced,
      replacements: { '%PRODUCTNAME': 'LibreOffice' },
      // Mnemonic markers: `~` inside a word, or an appended `(~S)` / `(_S)` in CJK UI strings.
      strip: /\s?\([~_][A-Za-z0-9]\)|~/g,
    });
    docs.push(catalog.doc);
    english.push(...catalog.english);
  }
  return { docs, english };
}
