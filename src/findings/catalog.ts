/**
 * What each finding is, as readers see it — its key, names, matcher and chart — in the order reports and
 * docs/findings.md show them. Plain data: the report reads it without loading any measurement. Each finding's
 * measurement is declared in its own file of this folder (`defineFinding(key, …)`, which adds these fields),
 * and ./index.ts lists the declarations in this order. Adding a finding: docs/findings-registry.md.
 */

/** Which of the report's charts draws an assertion of a finding (the per-run forgetting curves are drawn for any that has them). */
export type FindingChart = 'perplexity' | 'sensitivity' | 'profile' | 'none';

/** A finding as readers see it. */
export interface FindingEntry {
  /** The name a report gives it: "Core linguistic region". */
  title: string;
  /** Its heading in docs/findings.md: "1. A core region". */
  heading: string;
  /** The matcher on `expect(subject)`. */
  matcher: string;
  /** One line on what the matcher asserts (its JSDoc on `expect(…)` and the docs' table). */
  description: string;
  /** The report's chart for it. */
  chart: FindingChart;
}

/** Every finding by its key (the thresholds file's and every record's `finding`), in report order. */
export const CATALOG = {
  coreRegion: {
    title: 'Core linguistic region',
    heading: '1. A core region',
    matcher: 'toLoseCompetenceWhenZeroed',
    description: 'Zeroing `region` raises perplexity ≥ minRatio in every language; a same-size control stays ≤ controlMaxRatio.',
    chart: 'perplexity',
  },
  dimensionSensitivity: {
    title: 'Dimensional dependence',
    heading: '2. Dimensional dependence',
    matcher: 'toBeDimensionSensitive',
    description: '×factor on one parameter at (layer, dim) raises perplexity ≥ minRatio; the same at control dims stays ≤ controlMaxRatio.',
    chart: 'sensitivity',
  },
  massiveActivation: {
    title: 'Massive activation',
    heading: '2b. A massive activation (Sun et al.)',
    matcher: 'toHaveMassiveActivation',
    description: 'A residual dim carries a massive activation (> minValue, ≥ minRatio × the median), and ×factor on one parameter there destroys competence.',
    chart: 'profile',
  },
  superWeight: {
    title: 'Super weight',
    heading: '2c. A super weight (Yu et al.)',
    matcher: 'toHaveSuperWeight',
    description: 'The detector finds a super weight whose zeroing raises perplexity ≥ minRatio; random entries of the same tensor stay ≤ controlMaxRatio.',
    chart: 'perplexity',
  },
  monolingual: {
    title: 'Monolingual region',
    heading: '3. Monolingual regions',
    matcher: 'toHaveMonolingualRegion',
    description: "Zeroing `language`'s monolingual region hurts it ≥ minRatio and ≥ minSelectivity× (log-ratio) more than the others.",
    chart: 'none',
  },
  languageNeurons: {
    title: 'Language neurons (LAPE)',
    heading: '3b. Language neurons (LAPE, Tang et al.)',
    matcher: 'toHaveSelectiveLanguageNeurons',
    description: "Deactivating `language`'s LAPE neurons hurts it ≥ minRatio and ≥ minSelectivity× (log-ratio) more than the others.",
    chart: 'none',
  },
  frozenPretrain: {
    title: 'Freezing the core region against forgetting',
    heading: '4. Freezing the core region during further pre-training',
    matcher: 'toRetainAfterFrozenPretrain',
    description: 'Further pre-training with the region frozen prevents forgetting of retained languages while the new one is learned.',
    chart: 'perplexity',
  },
} as const satisfies Record<string, FindingEntry>;

/** A finding's key in the thresholds file and in records: `coreRegion`, `dimensionSensitivity`, … */
export type Finding = keyof typeof CATALOG;

/** The keys in report order. */
export const FINDING_KEYS = Object.keys(CATALOG) as Finding[];

/** A finding by its key, or undefined (a record from a newer version). */
export function findingEntry(key: string): (FindingEntry & { key: Finding }) | undefined {
  return Object.hasOwn(CATALOG, key) ? { key: key as Finding, ...CATALOG[key as Finding] } : undefined;
}
