/**
 * Finding 3, declared: monolingual regions — removing a language's own region hurts that language far more
 * than the others. Matcher `toHaveMonolingualRegion`; measurement ./measure/monolingual.ts.
 */
import { z } from 'zod';
import { languagesFor } from './measure/effects.js';
import { measureMonolingual, type MonolingualMeasured } from './measure/monolingual.js';
import type { FindingResult } from './measure/result.js';
import { expectationSchema, fraction, language as languageCode, perturbationFields, ratio } from './thresholds-base.js';
import { CATALOG } from './catalog.js';
import { defineFinding, type SubjectWith } from './internals/define.js';
import { holdsWord, range, times } from './internals/summary.js';
import { languagesSchema, parseMatcherOptions, ratioSchema } from './internals/options.js';

/** The thresholds this finding reads from its subject. */
type Needs = { monolingual: z.output<typeof monolingualThresholdsSchema> };

const NAME = CATALOG.monolingual.matcher;

/**
 * Finding 3 — removing language L's monolingual region (L's top-k minus every other region language's
 * top-k) hurts L far more than the others. Selectivity is measured in log-ratio:
 * ln(ratio_L) / ln(median ratio of the other languages), so ×e⁶ against ×e² is 3. The paper shows it
 * qualitatively (Arabic turns to garbage, English and Chinese stay intact); we ask 3 and a ×1.5 rise in L.
 */
export const monolingualThresholdsSchema = z.strictObject({
  ...perturbationFields,
  fraction: fraction.default(0.01),
  /** L's own perplexity must rise at least this much. */
  minRatio: ratio.default(1.5),
  /** ln(ratio_L) must be at least this many times ln(median of the others' ratios) (floored at ln 1.01). */
  minSelectivity: z.number().positive().default(3),
  /**
   * Region languages whose expectation differs from `expected`, e.g. `{ "es": "does-not-hold" }` when one
   * language's region is not selective enough on this checkpoint while the others' are. Keys must be
   * region languages (checked when the checkpoint is opened).
   */
  expectedFor: z.record(languageCode, expectationSchema).default({}),
});

/** The matcher's options (the language-neuron matcher takes them but `fraction`). */
export const monolingualOptionsSchema = z.strictObject({
  fraction: z.number().gt(0, 'must be > 0').lt(1, 'must be < 1').optional(),
  languages: languagesSchema.optional(),
  minRatio: ratioSchema.optional(),
  minSelectivity: z.number().positive('must be > 0').optional(),
});

/**
 * Options of {@link toHaveMonolingualRegion}; each left out comes from the subject's thresholds
 * (`monolingual`, else the paper's defaults).
 */
export interface MonolingualRegionOptions {
  /** k of the per-matrix top-k sets the region is the difference of (default 1%). */
  fraction?: number;
  /** Languages measured besides L (default: thresholds `monolingual.languages`, else every evaluation text). */
  languages?: string[];
  /** L's own perplexity must rise at least this much (default ×1.5). */
  minRatio?: number;
  /** ln(ratio_L) / ln(median ratio of the others) must reach this (default 3). */
  minSelectivity?: number;
}

/**
 * What `await expect(subject).toHaveMonolingualRegion(lang, options?)` measures and checks: zeroing `lang`'s
 * monolingual region raises its perplexity by ≥ minRatio and at least minSelectivity times more, in
 * log-ratio, than the median of the other languages.
 */
export async function measureMonolingualRegion(subject: SubjectWith<Needs>, language: string, options?: MonolingualRegionOptions): Promise<FindingResult<MonolingualMeasured>> {
  if (typeof language !== 'string' || language === '') throw new TypeError(`${NAME}: the first argument must be a language code (got ${JSON.stringify(language)})`);
  const o = parseMatcherOptions(monolingualOptionsSchema, options, NAME);
  const t = subject.thresholds.monolingual;
  return measureMonolingual(subject, {
    language,
    fraction: o.fraction ?? t.fraction,
    languages: languagesFor(subject, o.languages, t.languages),
    minRatio: o.minRatio ?? t.minRatio,
    minSelectivity: o.minSelectivity ?? t.minSelectivity,
  });
}

/** What a monolingual measurement records, and L's own ratio in it (also ./language-neurons.ts). */
export const ownRatio = (m: MonolingualMeasured) => m.effects.find((e) => e.language === m.language)!.ratio;

export const monolingual = defineFinding('monolingual', {
  hint: (language: string, _options?: MonolingualRegionOptions) => JSON.stringify(language),
  thresholds: monolingualThresholdsSchema,
  measure: measureMonolingualRegion,
  async cases(subject, add) {
    const t = subject.thresholds.monolingual;
    for (const language of subject.options.regionLanguages) {
      add({ point: language, expected: t.expectedFor[language] ?? t.expected, result: await measureMonolingualRegion(subject, language) });
    }
  },
  summary(cases) {
    if (cases.length === 0) return null;
    const m = cases.map((c) => c.result.measured);
    const least = m.reduce((a, b) => (b.selectivity < a.selectivity ? b : a));
    return `finding 3 ${holdsWord(cases)} region languages: removing a language's own region raises its perplexity ${range(m.map(ownRatio), times)} while the others' median moves ${range(m.map((v) => v.othersMedian), times)} (least selective: ${least.language}, ${least.selectivity.toFixed(2)} against ${String(cases[0]!.result.thresholds.minSelectivity)})`;
  },
});
