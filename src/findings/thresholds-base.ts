/**
 * What every finding's thresholds entry is made of: whether the finding is expected to hold on this
 * checkpoint, the evidence for that, and the field types the entries share. Each finding's own entry is
 * declared with its finding (./<finding>.ts); ./thresholds.ts assembles the file's schema from them.
 */
import { z } from 'zod';

export const ratio = z.number('must be a number').gt(0, 'must be > 0');
export const fraction = z.number('must be a number').gt(0, 'must be > 0').lt(1, 'must be < 1');
export const language = z.string().regex(/^[\w-]+$/, 'must be a language code');

/** What a threshold on a perplexity ratio reads: the estimate, or its 95% interval (findings/measure/effects.ts). */
export const assertOnSchema = z.enum(['estimate', 'interval'], 'must be estimate or interval');

/** Whether the finding is expected to hold on this checkpoint. */
export const expectationSchema = z.enum(['holds', 'does-not-hold']);
export type Expectation = z.infer<typeof expectationSchema>;

/** Why `expected` says what it says: what was measured, when, by which command. */
export const evidenceSchema = z.strictObject({
  /** The measured numbers (free-form JSON: ratios per language, medians…). */
  measured: z.record(z.string(), z.unknown()).default({}),
  /** ISO date of the measurement. */
  date: z.string().min(1),
  /** The command that produced it, e.g. `npx vitest run specs/core-region.spec.ts`. */
  command: z.string().min(1),
  note: z.string().optional(),
});
export type Evidence = z.infer<typeof evidenceSchema>;

/** What every finding has: whether it is expected to hold here, and why. */
export const findingFields = {
  expected: expectationSchema.default('holds'),
  evidence: evidenceSchema.optional(),
};

/** …and the findings measured by perturbing the model: which languages. */
export const perturbationFields = {
  ...findingFields,
  /** Languages to measure (default: the plugin's `languages`, i.e. every evaluation text). */
  languages: z.array(language).min(1).optional(),
};
