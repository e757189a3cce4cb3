import type { MatcherState } from 'vitest';
import { z } from 'zod';
import { resolveRegion, type ControlArgument, type RegionArgument } from '../measure/regions.js';
import { measureZeroing } from '../measure/zeroing.js';
import { languagesFor } from '../measure/effects.js';
import type { FindingResult } from '../measure/result.js';
import type { RegionsSubject } from '../subject.js';
import { asSubject, conclude, type MatcherOutcome } from './internals/conclude.js';
import { controlArgumentSchema, languagesSchema, matcherSeed, parseMatcherOptions, ratioSchema } from './internals/options.js';

const NAME = 'toLoseCompetenceWhenZeroed';

const optionsSchema = z.strictObject({
  languages: languagesSchema.optional(),
  minRatio: ratioSchema.optional(),
  control: controlArgumentSchema.optional(),
  controlMaxRatio: ratioSchema.optional(),
  seed: z.number().int().nonnegative().optional(),
});

/**
 * Options of {@link toLoseCompetenceWhenZeroed}; each left out comes from the subject's thresholds
 * (`coreRegion` in the thresholds file, else the paper's defaults).
 */
export interface LoseCompetenceOptions {
  /** Languages measured (default: thresholds `coreRegion.languages`, else every evaluation text). */
  languages?: string[];
  /** Zeroing the region must raise perplexity at least this much in EVERY language (default ×10). */
  minRatio?: number;
  /** Same-size control: `random` (default), `bottom`, a Region, or `none`. */
  control?: ControlArgument | 'none';
  /** Zeroing the control may raise perplexity at most this much in every language (default ×1.5). */
  controlMaxRatio?: number;
  /** Seed of a random control (default: the plugin's `seed`, else 0). */
  seed?: number;
}

/**
 * `await expect(subject).toLoseCompetenceWhenZeroed(region, options?)` — finding 1: zeroing `region`
 * (a Region, or `{ kind: 'top', fraction: 0.01 }` for the subject's core region) raises perplexity by
 * ≥ minRatio in each language, AND zeroing a control of the same size keeps it ≤ controlMaxRatio in
 * each language. See measure/zeroing.ts.
 */
export async function toLoseCompetenceWhenZeroed(
  this: MatcherState,
  received: unknown,
  region: RegionArgument,
  options?: LoseCompetenceOptions,
): Promise<MatcherOutcome> {
  const subject = asSubject(received, NAME);
  return conclude(this, NAME, 'region', await measureLoseCompetence(subject, region, options));
}

/** What {@link toLoseCompetenceWhenZeroed} measures and checks (also `npm run findings`, without a matcher). */
export async function measureLoseCompetence(subject: RegionsSubject, region: RegionArgument, options?: LoseCompetenceOptions): Promise<FindingResult> {
  const o = parseMatcherOptions(optionsSchema, options, NAME);
  const t = subject.thresholds.coreRegion;
  const control = o.control ?? t.control;
  return measureZeroing(subject, await resolveRegion(subject, region), {
    languages: languagesFor(subject, o.languages, t.languages),
    minRatio: o.minRatio ?? t.minRatio,
    control: control === 'none' ? null : control,
    controlMaxRatio: o.controlMaxRatio ?? t.controlMaxRatio,
    seed: matcherSeed(subject, o.seed),
  });
}
