import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { catalogDocument } from './catalog.js';
import type { Doc } from './document.js';

/** Front-end, admin and network-admin catalogs; the continents-cities catalogs are place names only. */
const CATALOGS = ['', 'admin-', 'admin-network-'] as const;

/**
 * WordPress's translated UI strings for one locale: one document per catalog, keyed `front`, `admin`
 * or `admin-network`, plus the English originals of the same strings.
 *
 * @param root - the unpacked `wordpress-l10n` package.
 * @param locale - catalog suffix, e.g. `ms_MY`, `sw`, `zh_CN`.
 */
export function wordpressDocuments(root: string, locale: string, unspaced: boolean): { docs: Doc[]; english: string[] } {
  const dir = join(root, 'usr/share/wordpress/wp-content/languages');
  const docs: Doc[] = [];
  const english: string[] = [];
  for (const prefix of CATALOGS) {
    const file = join(dir, `${prefix}${locale}.mo`);
    if (!existsSync(file)) continue;
    const key = prefix === '' ? 'front' : prefix.slice(0, -1);
    const catalog = catalogDocument('wordpress-l10n', key, file, { unspaced });
    docs.push(catalog.doc);
    english.push(...catalog.english);
  }
  if (docs.length === 0) throw new Error(`wordpress-l10n: no catalog ${locale}.mo in ${dir}`);
  return { docs, english };
}
