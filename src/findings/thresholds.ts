/**
 * The thresholds file of a checkpoint: for each finding of the registry (./index.ts), the numbers a matcher
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
import { readJsonFile } from '../util/json.js';
import { firstIssue } from '../util/zod-issue.js';
import type { Finding } from './catalog.js';
import { FINDINGS } from './index.js';
import type { coreRegionThresholdsSchema } from './lose-competence.js';
import type { dimensionThresholdsSchema } from './dimension-sensitive.js';
import type { monolingualThresholdsSchema } from './monolingual-region.js';
import type { frozenPretrainThresholdsSchema } from './retain-after-frozen-pretrain.js';

export { evidenceSchema, expectationSchema, type Evidence, type Expectation } from './thresholds-base.js';
export type { Finding } from './catalog.js';

type Registry = (typeof FINDINGS)[number];
/** Each finding's entry, defaulted to its paper defaults when the file leaves it out. */
type Entries = { [D in Registry as D['key']]: z.ZodDefault<D['thresholds']> };

const entries = Object.fromEntries(FINDINGS.map((d) => [d.key, (d.thresholds as z.ZodType).default(() => d.thresholds.parse({}))])) as unknown as Entries;

/** A thresholds file: one entry per finding, each optional. */
export const thresholdsSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Free text: which checkpoint these numbers are for. */
  checkpoint: z.string().optional(),
  ...entries,
});

export type Thresholds = z.output<typeof thresholdsSchema>;
export type ThresholdsInput = z.input<typeof thresholdsSchema>;
export type CoreRegionThresholds = z.output<typeof coreRegionThresholdsSchema>;
export type DimensionThresholds = z.output<typeof dimensionThresholdsSchema>;
export type MonolingualThresholds = z.output<typeof monolingualThresholdsSchema>;
export type FrozenPretrainThresholds = z.output<typeof frozenPretrainThresholdsSchema>;
/** A finding's entry in the file, by its key. */
export type FindingThresholds<K extends Finding> = Thresholds[K];

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
