import type { MatcherState } from 'vitest';
import { z } from 'zod';
import { measureFrozenPretrain } from '../measure/frozen.js';
import { controlRegion, resolveRegion, type ControlArgument, type RegionArgument } from '../measure/regions.js';
import type { FindingResult } from '../measure/result.js';
import type { RegionsSubject } from '../subject.js';
import { asSubject, conclude, type MatcherOutcome } from './internals/conclude.js';
import { controlArgumentSchema, languagesSchema, matcherSeed, parseMatcherOptions, regionArgumentSchema, ratioSchema } from './internals/options.js';

const NAME = 'toRetainAfterFrozenPretrain';

const optionsSchema = z.strictObject({
  freeze: regionArgumentSchema.optional(),
  train: z.string().min(1).optional(),
  retain: languagesSchema.optional(),
  steps: z.number().int().positive('must be ≥ 1').optional(),
  lr: z.number().positive('must be > 0').optional(),
  batch: z.number().int().positive('must be ≥ 1').optional(),
  minPrevented: z.number().optional(),
  aggregate: z.enum(['every', 'mean']).optional(),
  minLearningKept: z.number().optional(),
  maxForgetting: ratioSchema.optional(),
  control: controlArgumentSchema.optional(),
  seed: z.number().int().nonnegative().optional(),
  curvePoints: z.number().int().min(2, 'must be ≥ 2').max(50, 'must be ≤ 50').optional(),
});

/**
 * Options of {@link toRetainAfterFrozenPretrain}; each left out comes from the subject's thresholds
 * (`frozenPretrain`, else the paper's defaults).
 */
export interface RetainAfterFrozenPretrainOptions {
  /** The region kept frozen (default: the core region, top-k with k = `frozenPretrain.fraction`). */
  freeze?: RegionArgument;
  /** The language further pre-trained on (default zh, the authors' script). */
  train?: string;
  /** Languages whose forgetting is measured (default en). */
  retain?: string[];
  steps?: number;
  /** Peak learning rate (default 5e-5, the paper's). */
  lr?: number;
  /** Windows per step (default 8). */
  batch?: number;
  /** Share of the forgetting freezing must prevent (default 1/3)… */
  minPrevented?: number;
  /** …in every retained language (default) or on their mean. */
  aggregate?: 'every' | 'mean';
  /** Share of the trained language's gain the frozen run must keep (default 0.5). */
  minLearningKept?: number;
  /** With freezing, each retained language's ppl may rise at most this much (default: not checked). */
  maxForgetting?: number;
  /** A control frozen in a third run must prevent less: `random`/`bottom` (same size), a Region, or `none` (default). */
  control?: ControlArgument | 'none';
  /** Seeds the training windows (shared by every run) and a random control (default: the plugin's `seed`, else 0). */
  seed?: number;
  /** Evaluations along each run, evenly spaced from step 0 to the last (default 5): the report's forgetting curves. */
  curvePoints?: number;
}

/**
 * `await expect(subject).toRetainAfterFrozenPretrain({ freeze, train, retain, … })` — finding 4: further
 * pre-training on `train` with `freeze` frozen prevents ≥ minPrevented of the retained languages'
 * forgetting, keeps ≥ minLearningKept of the new language's gain, and (with a control) prevents more than
 * freezing the control. The runs are cached on disk. See measure/frozen.ts.
 */
export async function toRetainAfterFrozenPretrain(
  this: MatcherState,
  received: unknown,
  options?: RetainAfterFrozenPretrainOptions,
): Promise<MatcherOutcome> {
  const subject = asSubject(received, NAME);
  return conclude(this, NAME, 'options', await measureRetainAfterFrozenPretrain(subject, options));
}

/** What {@link toRetainAfterFrozenPretrain} measures and checks (also `npm run findings`, without a matcher). */
export async function measureRetainAfterFrozenPretrain(subject: RegionsSubject, options?: RetainAfterFrozenPretrainOptions): Promise<FindingResult> {
  const o = parseMatcherOptions(optionsSchema, options, NAME);
  const t = subject.thresholds.frozenPretrain;
  const seed = matcherSeed(subject, o.seed);
  const freeze = await resolveRegion(subject, o.freeze ?? { kind: 'top', fraction: t.fraction });
  const control = o.control ?? t.control;
  return measureFrozenPretrain(subject, {
    freeze,
    train: o.train ?? t.train,
    retain: o.retain ?? t.retain,
    steps: o.steps ?? t.steps,
    lr: o.lr ?? t.lr,
    batch: o.batch ?? t.batch,
    seed,
    minPrevented: o.minPrevented ?? t.minPrevented,
    aggregate: o.aggregate ?? t.aggregate,
    minLearningKept: o.minLearningKept ?? t.minLearningKept,
    ...((o.maxForgetting ?? t.maxForgetting) !== undefined && { maxForgetting: (o.maxForgetting ?? t.maxForgetting)! }),
    control: control === 'none' ? null : await controlRegion(subject, freeze, control, seed),
    curvePoints: o.curvePoints ?? t.curvePoints,
  });
}
