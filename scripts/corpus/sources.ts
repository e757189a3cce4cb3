import { join } from 'node:path';
import type { DebPackage } from './debian.js';
import type { Doc } from './document.js';
import { epubDocuments } from './epub.js';
import { handbookDocuments } from './handbook.js';
import type { Language } from './languages.js';
import { libreofficeDocuments } from './libreoffice.js';
import { gnomeDocuments } from './mallard.js';
import { manpageDocuments } from './manpages.js';
import { wordpressDocuments } from './wordpress.js';

/** A source's text in one language, with the English originals its translations were made from. */
export interface SourceText {
  docs: Doc[];
  /** Raw English lines the translations correspond to; empty when the source has no English original. */
  english: string[];
}

/** One kind of corpus source: which Debian package holds a language, and how to read it. */
export interface Source {
  id: string;
  /** 1 = prose documentation, 2 = man pages, 3 = UI string catalogs; lower tiers fill the cap first. */
  tier: 1 | 2 | 3;
  /** What the text is, for SOURCES.md. */
  description: string;
  /**
   * The license as we read it in the package's copyright file, for packages whose file is not in the
   * machine-readable format (otherwise SOURCES.md quotes the `Files: *` license directly).
   */
  licenseNote?: string;
  /** The Debian package holding `lang`'s translation, or undefined when there is none. */
  packageFor(lang: Language): string | undefined;
  read(pkg: DebPackage, lang: Language): SourceText;
}

const unspaced = (lang: Language): boolean => lang.script === 'Han' || lang.script === 'Japanese';

const englishOf = new Map<string, string[]>();
/** English original of a documentation package, read once per package. */
function englishDocs(pkg: DebPackage, read: () => Doc[]): string[] {
  let lines = englishOf.get(pkg.root);
  if (lines === undefined) {
    lines = read().flatMap((d) => d.lines);
    englishOf.set(pkg.root, lines);
  }
  return lines;
}

/** Every source, in the order SOURCES.md lists them. */
export const SOURCES: readonly Source[] = [
  {
    id: 'debian-handbook',
    tier: 1,
    description: "The Debian Administrator's Handbook (Debian 11), XHTML per language; `en-US` is the English original.",
    packageFor: (lang) => (lang.handbook ? 'debian-handbook' : undefined),
    read: (pkg, lang) => ({
      docs: handbookDocuments(pkg.root, lang.handbook ?? ''),
      english: lang.code === 'en' ? [] : englishDocs(pkg, () => handbookDocuments(pkg.root, 'en-US')),
    }),
  },
  {
    id: 'gnome-user-docs',
    tier: 1,
    description: 'GNOME Help and the system administration guide, Mallard `.page` files; `C` is the English original.',
    packageFor: (lang) => (lang.gnome ? 'gnome-user-docs' : undefined),
    read: (pkg, lang) => ({
      docs: gnomeDocuments(pkg.root, lang.gnome ?? ''),
      english: lang.code === 'en' ? [] : englishDocs(pkg, () => gnomeDocuments(pkg.root, 'C')),
    }),
  },
  {
    id: 'eyes17-manuals',
    tier: 1,
    description: 'ExpEYES-17 user manual (a physics-lab instrument), EPUB; used for Malayalam only.',
    packageFor: (lang) => (lang.eyes17 ? `eyes17-manuals-${lang.eyes17}` : undefined),
    read: (pkg, lang) => ({
      docs: epubDocuments(join(pkg.root, 'usr/share/doc/eyes17', lang.eyes17 ?? '', 'eyes17.epub'), 'eyes17-manuals'),
      english: [],
    }),
  },
  {
    id: 'manpages',
    tier: 2,
    description: 'Translated man pages (roff), one Debian package per language (`manpages-<xx>`).',
    licenseNote:
      'manpages-tr: non-machine-readable copyright file (Turkish Linux Documentation WG): translations are ' +
      'copyright their translators and distributed under the GNU GPL; license notices of the English ' +
      'originals are kept in the pages.',
    packageFor: (lang) => lang.manpages?.pkg,
    read: (pkg, lang) => ({ docs: manpageDocuments(pkg.root, lang.manpages?.dir ?? '', 'manpages'), english: [] }),
  },
  {
    id: 'wordpress-l10n',
    tier: 3,
    description: 'WordPress 6.1 UI string catalogs (`.mo`): front-end, admin and network admin; sentence-like strings only.',
    packageFor: (lang) => (lang.wordpress ? 'wordpress-l10n' : undefined),
    read: (pkg, lang) => wordpressDocuments(pkg.root, lang.wordpress ?? '', unspaced(lang)),
  },
  {
    id: 'libreoffice-l10n',
    tier: 3,
    description: 'LibreOffice 7.4 UI string catalogs (`.mo`), one per module; sentence-like strings only.',
    packageFor: (lang) => (lang.libreoffice ? `libreoffice-l10n-${lang.libreoffice.toLowerCase()}` : undefined),
    read: (pkg, lang) => libreofficeDocuments(pkg.root, lang.libreoffice ?? '', unspaced(lang)),
  },
];
