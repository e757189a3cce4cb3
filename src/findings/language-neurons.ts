/**
 * Finding 3's forward-only rival, declared: the language-specific FFN neurons LAPE finds for L (Tang et al.,
 * ACL 2024) are selective for L — deactivating them hurts L far more than the other languages. Matcher
 * `toHaveSelectiveLanguageNeurons`; the measurement is finding 3's (./measure/monolingual.ts) on L's
 * neurons (whole FFN neurons, ../../regions/neurons.ts) instead of its gradient monolingual region.
 */
import { z } from 'zod';
import { languagesFor } from './measure/effects.js';
import { measureMonolingual } from './measure/monolingual.js';
import { compareRegions, type RegionsCompared } from './measure/overlap.js';
import type { FindingResult } from './measure/result.js';
import { expectationSchema, language as languageCode, perturbationFields, ratio } from './thresholds-base.js';
import { CATALOG } from './catalog.js';
import { defineFinding, type SubjectWith } from './internals/define.js';
import type { monolingualThresholdsSchema } from './monolingual-region.js';
import { parseMatcherOptions } from './internals/options.js';
import { range, times } from './internals/summary.js';
import { monolingualOptionsSchema, ownRatio, type MonolingualRegionOptions } from './monolingual-region.js';
import type { MonolingualMeasured } from './measure/monolingual.js';

/** The thresholds this finding reads from its subject. */
type Needs = { languageNeurons: z.output<typeof languageNeuronsThresholdsSchema>; monolingual: z.output<typeof monolingualThresholdsSchema> };

const NAME = CATALOG.languageNeurons.matcher;

/**
 * Language neurons — Tang et al. deactivate L's neurons (activation set to 0) and report L's perplexity rising
 * sharply while the others' barely move. The same thresholds as finding 3's by default: L ×1.5, selectivity 3.
 */
export const languageNeuronsThresholdsSchema = z.strictObject({
  ...perturbationFields,
  /** L's own perplexity must rise at least this much. */
  minRatio: ratio.default(1.5),
  /** ln(ratio_L) / ln(median of the others' ratios) (floored at ln 1.01) must reach this. */
  minSelectivity: z.number().positive().default(3),
  /** Region languages whose expectation differs from `expected` (keys checked when the checkpoint is opened). */
  expectedFor: z.record(languageCode, expectationSchema).default({}),
});

const optionsSchema = monolingualOptionsSchema.omit({ fraction: true });

/**
 * Options of `toHaveSelectiveLanguageNeurons`: finding 3's but `fraction` (LAPE selects its own neurons); each
 * left out comes from the thresholds (`languageNeurons`, else finding 3's defaults).
 */
export type LanguageNeuronsOptions = Omit<MonolingualRegionOptions, 'fraction'>;

/** What `await expect(subject).toHaveSelectiveLanguageNeurons(lang, options?)` measures and checks. */
export async function measureLanguageNeurons(subject: SubjectWith<Needs>, language: string, options?: LanguageNeuronsOptions): Promise<FindingResult<MonolingualMeasured & { overlap: RegionsCompared }>> {
  if (typeof language !== 'string' || language === '') throw new TypeError(`${NAME}: the first argument must be a language code (got ${JSON.stringify(language)})`);
  const o = parseMatcherOptions(optionsSchema, options, NAME);
  const t = subject.thresholds.languageNeurons;
  const result = await measureMonolingual(subject, {
    language,
    fraction: subject.thresholds.monolingual.fraction, // not used by the neuron region; recorded with it
    languages: languagesFor(subject, o.languages, t.languages),
    minRatio: o.minRatio ?? t.minRatio,
    minSelectivity: o.minSelectivity ?? t.minSelectivity,
    source: 'neurons',
  });
  // Side by side with finding 3: how much of the gradient monolingual region of L the neurons share.
  const { compared, table } = compareRegions(await subject.languageNeuronRegion(language), 'LAPE neurons', await subject.monolingualRegion(language), 'gradient monolingual region');
  return { ...result, finding: 'languageNeurons', tables: [...result.tables, table], measured: { ...result.measured, overlap: compared } };
}

export const languageNeurons = defineFinding('languageNeurons', {
  hint: (language: string, _options?: LanguageNeuronsOptions) => JSON.stringify(language),
  thresholds: languageNeuronsThresholdsSchema,
  measure: measureLanguageNeurons,
  async cases(subject, add) {
    const t = subject.thresholds.languageNeurons;
    for (const language of subject.options.regionLanguages) {
      add({ point: `${language}, LAPE neurons`, expected: t.expectedFor[language] ?? t.expected, result: await measureLanguageNeurons(subject, language) });
    }
  },
  summary(cases) {
    if (cases.length === 0) return null;
    const m = cases.map((c) => c.result.measured);
    return `LAPE's language neurons are selective for ${cases.filter((c) => c.result.holds).length} of ${cases.length} region languages at finding 3's thresholds (own language ${range(m.map(ownRatio), times)}, selectivity ${range(m.map((v) => v.selectivity), (s) => s.toFixed(1))}; Jaccard with the gradient region ${range(m.map((v) => v.overlap.jaccard), (j) => j.toFixed(3))})`;
  },
});
