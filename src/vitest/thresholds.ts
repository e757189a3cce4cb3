/**
 * The thresholds file of a checkpoint: for each of the paper's four findings, the numbers a matcher
 * checks and whether the finding is EXPECTED to hold on this checkpoint — with the evidence (measured
 * numbers, date, command) that says why. A spec reads `expected` and asserts `expect(…)` or
 * `expect(…).not` accordingly, so one spec suite serves checkpoints where a finding holds and ones where
 * it does not, and a change in either direction fails CI.
 *
 * File: `<checkpoint>/regions.thresholds.json` (or the plugin's `thresholds` option), e.g.
 *
 *     { "coreRegion": { "minRatio": 3, "expected": "holds",
 *                       "evidence": { "date": "2025-01-31", "command": "npm run specs", "measured": { "minRatio": 7.9 } } } }
 *
 * Every field may be left out; what is left out is the paper's default below.
 */
import { z } from 'zod';
import { sensitivityTargetSchema } from '../dims/sensitivity.js';
import { readJsonFile } from '../util/json.js';
import { firstIssue } from '../util/zod-issue.js';

const ratio = z.number('must be a number').gt(0, 'must be > 0');
const fraction = z.number('must be a number').gt(0, 'must be > 0').lt(1, 'must be < 1');
const language = z.string().regex(/^[\w-]+$/, 'must be a language code');

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
const finding = {
  expected: expectationSchema.default('holds'),
  evidence: evidenceSchema.optional(),
};

/** …and the findings measured by perturbing the model: which languages. */
const perturbationFinding = {
  ...finding,
  /** Languages to measure (default: the plugin's `languages`, i.e. every evaluation text). */
  languages: z.array(language).min(1).optional(),
};

/**
 * Finding 1 — zeroing the core region (top-k of summed importance, per matrix) explodes perplexity in
 * every language; zeroing a control of the same size (random, or the bottom-k) barely changes it. The
 * paper's k is 1% and its top-1% ppl rises by orders of magnitude while the random 1% moves it by a
 * few percent: we ask ×10 and allow the control ×1.5.
 */
export const coreRegionThresholdsSchema = z.strictObject({
  ...perturbationFinding,
  fraction: fraction.default(0.01),
  /** Zeroing the region must raise perplexity at least this much (ratio) in every language. */
  minRatio: ratio.default(10),
  /** The control of the same size: `random` (the paper's main control) or `bottom`. */
  control: z.enum(['random', 'bottom']).default('random'),
  /** Zeroing the control may raise perplexity at most this much in every language. */
  controlMaxRatio: ratio.default(1.5),
});

/**
 * Finding 2 — one parameter ×4 on a dimension the core region lines up on destroys competence, the same
 * on another dimension does not. The paper: LLaMA-2-13B layer 1, dim 2100 → zh ppl 257.7 vs 5.86 on dim
 * 4200 (≈ ×44 against the control). Which parameter is unconfirmed: `target` (default the
 * post-attention RMSNorm entry). `dims` is a property of the checkpoint: a list, or `detected` — the
 * residual stream's three largest dims entering `layer`, as the massive-activation detector finds them
 * (`regions detect massive-activations`; the subject's `detectedDims`).
 */
export const dimensionThresholdsSchema = z.strictObject({
  ...perturbationFinding,
  layer: z.number().int().nonnegative().default(1),
  /** The dimensions expected to be sensitive (LLaMA-2-7B: 1415, 2533; 13B: 2100, 4743). */
  dims: z.union([z.array(z.number().int().nonnegative()).min(1), z.literal('detected')]).optional(),
  target: sensitivityTargetSchema.default({ tensor: 'post_attention_layernorm' }),
  factor: z.number().default(4),
  /** The perturbation at the dim must raise perplexity at least this much… */
  minRatio: ratio.default(10),
  /** …in `aggregate` of the languages: the median (default; robust to one odd language) or every one. */
  aggregate: z.enum(['median', 'every']).default('median'),
  /** The same perturbation at each control dim may raise it at most this much, in every language. */
  controlMaxRatio: ratio.default(1.5),
  /** Control dims, or `random`: `controlCount` dims drawn (seeded) from the others. */
  controlDims: z.union([z.array(z.number().int().nonnegative()).min(1), z.literal('random')]).default('random'),
  controlCount: z.number().int().min(1).default(3),
});

/**
 * Finding 3 — removing language L's monolingual region (L's top-k minus every other region language's
 * top-k) hurts L far more than the others. Selectivity is measured in log-ratio:
 * ln(ratio_L) / ln(median ratio of the other languages), so ×e⁶ against ×e² is 3. The paper shows it
 * qualitatively (Arabic turns to garbage, English and Chinese stay intact); we ask 3 and a ×1.5 rise in L.
 */
export const monolingualThresholdsSchema = z.strictObject({
  ...perturbationFinding,
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
  expectedFor: z.record(language, expectationSchema).default({}),
});

/**
 * Finding 4 — further pre-training on one language with the core region frozen makes the other languages
 * forget less, while the new language is still learned. Measured as in `compareFreezing`: forgetting
 * prevented = 1 − ln f_frozen / ln f_baseline, learning kept = ln g_frozen / ln g_baseline. The paper's
 * run: Chinese, English measured, lr 5e-5. Its figure shows most of English's rise gone with freezing:
 * we ask a third prevented and half the learning kept.
 */
export const frozenPretrainThresholdsSchema = z.strictObject({
  ...finding,
  fraction: fraction.default(0.01),
  /** The language further pre-trained on. */
  train: language.default('zh'),
  /** Languages whose forgetting is measured. */
  retain: z.array(language).min(1).default(['en']),
  steps: z.number().int().positive().default(200),
  lr: z.number().positive().default(5e-5),
  /** Windows per step. */
  batch: z.number().int().positive().default(8),
  /** Forgetting prevented must reach this… */
  minPrevented: z.number().default(1 / 3),
  /** …in every retained language, or on their mean. */
  aggregate: z.enum(['every', 'mean']).default('every'),
  /** The trained language must keep at least this share of the unfrozen run's gain (in NLL). */
  minLearningKept: z.number().default(0.5),
  /** Optionally: with freezing, each retained language's ppl may rise at most this much (ratio). */
  maxForgetting: ratio.optional(),
  /** A control region of the same size, frozen in a third run, must prevent less; `none` skips it. */
  control: z.enum(['random', 'bottom', 'none']).default('none'),
  /** Evaluations along each run, step 0 and the last step included, evenly spaced: the report's forgetting curves. */
  curvePoints: z.number().int().min(2).max(50).default(5),
});

/** A thresholds file: one entry per finding, each optional. */
export const thresholdsSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Free text: which checkpoint these numbers are for. */
  checkpoint: z.string().optional(),
  coreRegion: coreRegionThresholdsSchema.default(() => coreRegionThresholdsSchema.parse({})),
  dimensionSensitivity: dimensionThresholdsSchema.default(() => dimensionThresholdsSchema.parse({})),
  monolingual: monolingualThresholdsSchema.default(() => monolingualThresholdsSchema.parse({})),
  frozenPretrain: frozenPretrainThresholdsSchema.default(() => frozenPretrainThresholdsSchema.parse({})),
});

export type Thresholds = z.output<typeof thresholdsSchema>;
export type ThresholdsInput = z.input<typeof thresholdsSchema>;
export type CoreRegionThresholds = Thresholds['coreRegion'];
export type DimensionThresholds = Thresholds['dimensionSensitivity'];
export type MonolingualThresholds = Thresholds['monolingual'];
export type FrozenPretrainThresholds = Thresholds['frozenPretrain'];
/** The four findings, by their key in the file. */
export type Finding = 'coreRegion' | 'dimensionSensitivity' | 'monolingual' | 'frozenPretrain';

/** The paper's defaults (a checkpoint without a thresholds file gets these, every finding expected to hold). */
export const DEFAULT_THRESHOLDS: Thresholds = thresholdsSchema.parse({});

/**
 * Validates a thresholds object and fills in the defaults.
 * @throws Error naming the file and the field, e.g. `t.json: coreRegion.minRatio: must be > 0 (got -1)`.
 */
export function parseThresholds(value: unknown, file = 'thresholds'): Thresholds {
  const parsed = thresholdsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = firstIssue(parsed.error, value);
  if (issue.unknownKeys !== null) {
    const where = issue.field !== '' ? `${issue.field}: ` : '';
    throw new Error(`${file}: ${where}unknown field ${issue.unknownKeys.map((k) => `"${k}"`).join(', ')}`);
  }
  throw new Error(`${file}: ${issue.field || '(root)'}: ${issue.message} (got ${issue.received === undefined ? 'nothing' : JSON.stringify(issue.received)})`);
}

/** Reads and validates a thresholds file. @throws Error naming the file (unreadable, not JSON, or a bad field). */
export function loadThresholds(file: string): Thresholds {
  return parseThresholds(readJsonFile(file, 'thresholds'), file);
}
