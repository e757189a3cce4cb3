import type { MatcherState } from 'vitest';
import { z } from 'zod';
import { languagesFor } from '../measure/effects.js';
import { measureMonolingual } from '../measure/monolingual.js';
import type { FindingResult } from '../measure/result.js';
import type { RegionsSubject } from '../subject.js';
import { asSubject, conclude, type MatcherOutcome } from './internals/conclude.js';
import { languagesSchema, parseMatcherOptions, ratioSchema } from './internals/options.js';

const NAME = 'toHaveMonolingualRegion';

const optionsSchema = z.strictObject({
  fraction: z.number().gt(0, 'must be > 0').lt(1, 'must be < 1').optional(),
  languages: languagesSchema.optional(),
  minRatio: ratioSchema.optional(),
  minSelectivity: z.number().positive('must be > 0').optional(),
  source: z.enum(['gradient', 'neurons']).optional(),
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
  /** `gradient` (default): the paper's monolingual region; `neurons`: L's language neurons by LAPE (whole FFN neurons). */
  source?: 'gradient' | 'neurons';
}

/**
 * `await expect(subject).toHaveMonolingualRegion(lang, options?)` — finding 3: zeroing `lang`'s
 * monolingual region raises its perplexity by ≥ minRatio and at least minSelectivity times more, in
 * log-ratio, than the median of the other languages. See measure/monolingual.ts.
 */
export async function toHaveMonolingualRegion(
  this: MatcherState,
  received: unknown,
  language: string,
  options?: MonolingualRegionOptions,
): Promise<MatcherOutcome> {
  const subject = asSubject(received, NAME);
  return conclude(this, NAME, JSON.stringify(language), await measureMonolingualRegion(subject, language, options));
}

/** What {@link toHaveMonolingualRegion} measures and checks (also `npm run findings`, without a matcher). */
export async function measureMonolingualRegion(subject: RegionsSubject, language: string, options?: MonolingualRegionOptions): Promise<FindingResult> {
  if (typeof language !== 'string' || language === '') throw new TypeError(`${NAME}: the first argument must be a language code (got ${JSON.stringify(language)})`);
  const o = parseMatcherOptions(optionsSchema, options, NAME);
  const t = subject.thresholds.monolingual;
  return measureMonolingual(subject, {
    language,
    fraction: o.fraction ?? t.fraction,
    languages: languagesFor(subject, o.languages, t.languages),
    minRatio: o.minRatio ?? t.minRatio,
    minSelectivity: o.minSelectivity ?? t.minSelectivity,
    ...(o.source !== undefined && { source: o.source }),
  });
}
