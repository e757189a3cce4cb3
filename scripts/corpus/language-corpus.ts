import { cleanLine, DROP_RULES, type DropRule } from './clean.js';
import type { DebPackage } from './debian.js';
import { REGION_LANGUAGES, type Language } from './languages.js';
import { francAgreement } from './langid.js';
import { stripEnumerator } from './normalize.js';
import { normalizeFor } from './orthography.js';
import { type Source, SOURCES } from './sources.js';
import { type CleanDoc, lineBytes, type Split, splitDocuments } from './split.js';
import { addSourceBytes, fileStats, type LanguageStats, round4, type SourceStats } from './stats.js';
import type { CorpusSettings } from './settings.js';
import { readUdhr } from './udhr.js';

/** One language's three files and their statistics. */
export interface LanguageCorpus {
  train: string[];
  heldout: string[];
  eval: string[];
  stats: LanguageStats;
}

/** The UDHR of `lang`, normalized like the training text and without repeated lines. */
export function evalText(lang: Language): string[] {
  const lines = readUdhr(lang.udhr)
    .map((l) => normalizeFor(l, lang))
    .filter((l) => l !== '');
  return [...new Set(lines)];
}

/** Reads one source's documents for `lang` and runs the line rules over them, tallying drops. */
function cleanSource(
  source: Source,
  pkg: DebPackage,
  lang: Language,
  evalLines: ReadonlySet<string>,
  dropped: Record<DropRule, number>,
): CleanDoc[] {
  const text = source.read(pkg, lang);
  const english = new Set(text.english.map((l) => stripEnumerator(normalizeFor(l, lang))));
  return text.docs.map((doc) => {
    const lines: string[] = [];
    for (const raw of doc.lines) {
      const result = cleanLine(raw, { lang, english, evalLines });
      if (result === undefined) continue;
      if (result.rule === undefined) lines.push(result.line);
      else dropped[result.rule] += lineBytes(result.line);
    }
    return { source: source.id, key: doc.key, tier: source.tier, lines };
  });
}

/**
 * Builds the corpus of one language: reads the sources that have it tier by tier (prose
 * documentation, then man pages, then UI strings), cleans every line (clean.ts), and splits the
 * documents into held-out and training text (split.ts). A lower tier is read — and its package
 * downloaded — only when the tiers above leave the training text under its cap.
 *
 * @param fetch - returns a Debian package, downloading and unpacking it on first use.
 */
export function buildLanguage(
  lang: Language,
  fetch: (name: string) => DebPackage,
  settings: CorpusSettings,
): LanguageCorpus {
  const region = (REGION_LANGUAGES as readonly string[]).includes(lang.code);
  const evalLines = evalText(lang);
  const evalSet = new Set(evalLines);
  const dropped = Object.fromEntries(DROP_RULES.map((r) => [r, 0])) as Record<DropRule, number>;
  const sources: Record<string, SourceStats> = {};
  const docs: CleanDoc[] = [];
  const splitSettings = {
    trainCap: region ? settings.regionTrainCap : settings.otherTrainCap,
    alwaysHoldOut: region,
    minTrainForHeldout: settings.minTrainForHeldout,
    heldoutShare: settings.heldoutShare,
    heldoutMin: settings.heldoutMin,
    heldoutMax: settings.heldoutMax,
  };
  let split: Split = splitDocuments(docs, evalSet, splitSettings);
  for (const tier of [...new Set(SOURCES.map((s) => s.tier))].sort((a, b) => a - b)) {
    if (split.capBytes > 0) break;
    for (const source of SOURCES.filter((s) => s.tier === tier)) {
      const name = source.packageFor(lang);
      if (name === undefined) continue;
      const pkg = fetch(name);
      sources[source.id] = { package: pkg.name, version: pkg.version, train: 0, heldout: 0 };
      docs.push(...cleanSource(source, pkg, lang, evalSet, dropped));
    }
    split = splitDocuments(docs, evalSet, splitSettings);
  }
  return { ...splitCorpus(split, lang, lang.name, sources, dropped, evalLines), eval: evalLines };
}

/**
 * The train and held-out lines of a finished split and their statistics: per-source bytes, the
 * `duplicate` and `cap` drops (added to `dropped`), franc's agreement on the kept lines.
 */
export function splitCorpus(
  split: Split,
  lang: Language,
  name: string,
  sources: Record<string, SourceStats>,
  dropped: Record<DropRule, number>,
  evalLines: readonly string[],
): { train: string[]; heldout: string[]; stats: LanguageStats } {
  dropped.duplicate = split.duplicateBytes;
  dropped.cap = split.capBytes;
  addSourceBytes(sources, split.train, 'train');
  addSourceBytes(sources, split.heldout, 'heldout');
  const train = split.train.map((l) => l.text);
  const heldout = split.heldout.map((l) => l.text);
  const agreement = francAgreement([...train, ...heldout], lang);
  return {
    train,
    heldout,
    stats: {
      name,
      splits: { train: fileStats(train), heldout: fileStats(heldout), eval: fileStats(evalLines) },
      sources,
      dropped,
      francAgreement: { lines: agreement.lines, share: round4(agreement.share), others: agreement.others },
      heldoutDocs: split.heldoutDocs,
    },
  };
}
