/**
 * `reports/results.json`: everything a run of the region specs measured, in one JSON file the HTML report,
 * `regions compare` and CI read — without vitest, the checkpoint or the texts. The reporter writes it
 * (./reporter.ts) from each test's `task.meta.regions` records, vitest's verdicts and the run's
 * provenance; ./records.ts is the one place that knows the matchers' record shape.
 *
 * Shape (version 1; readers ignore fields they do not know):
 *
 *     { schema: "vitest-regions/results@1",
 *       provenance: { checkpoints, corpus, backend, packages, node, wall time, seeds, CI },
 *       run:        { complete, interrupted, reasons }   (absent in files written before it was recorded),
 *       summary:    { reason, tests: {total, passed, failed, skipped}, findings: {…}, assertions: {…} },
 *       perplexity: { <language>: baseline ppl of the unperturbed checkpoint },
 *       tests:      [ { key, file, name, state, durationMs, errors, warnings, assertions } ],
 *       findings:   [ { key, test, finding, matcher, passed, shown,
 *                       assertions: [ { passed, negated, holds, claim, failures, successes, thresholds,
 *                                       seeds, checkpoint, regions, tables, effects, curves, measured } ] } ],
 *       regionData: { <region sha256>: { fingerprint?, layout? } },
 *       errors:     [ unhandled errors ] }
 */
import { z } from 'zod';
import { regionFingerprintSchema, regionLayoutSchema } from '../region-data/schemas.js';
import { readJsonFile } from '../util/json.js';
import { firstIssue } from '../util/zod-issue.js';

/** The `schema` field of a version-1 results file. */
export const RESULTS_SCHEMA = 'vitest-regions/results@1';

const count = z.number().int().nonnegative();

/** A table as the matcher formatted it (cells are strings: ppl, ×ratio, threshold, ✓/✗). */
export const resultTableSchema = z.object({
  title: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.array(z.string())),
});
export type ResultTable = z.infer<typeof resultTableSchema>;

// The region data's shapes live with the code that computes it (../region-data/), below the matchers.
export { regionFingerprintSchema, layoutAxisSchema, regionLayoutSchema, type RegionFingerprint, type RegionLayout } from '../region-data/schemas.js';

/** A region as a finding used it (the masks themselves are summarised in `regionData` under `sha256`). */
export const regionEntrySchema = z.object({
  kind: z.string(),
  fraction: z.number(),
  languages: z.array(z.string()),
  entries: count,
  weights: count,
  seed: z.number().nullable(),
  sha256: z.string(),
  description: z.string(),
});
export type RegionEntry = z.infer<typeof regionEntrySchema>;

/**
 * One language under one condition of a finding: e.g. condition "core zeroed" (role `region`),
 * "random zeroed" (role `control`), "dim 2100 ×4" (role `region`, dim 2100).
 */
export const effectSchema = z.object({
  condition: z.string(),
  role: z.enum(['region', 'control']),
  /** The hidden dimension perturbed (dimension sensitivity only). */
  dim: z.number().int().optional(),
  /** The seed of one of several random controls of one condition (a distribution of controls). */
  seed: z.number().int().optional(),
  language: z.string(),
  baseline: z.number(),
  /** null: not finite (JSON has no Infinity; a zeroed region can overflow the NLL). */
  perturbed: z.number().nullable(),
  ratio: z.number().nullable(),
  /** The ratio's 95% interval: a paired bootstrap over the evaluation windows (null: none, e.g. a ratio that is not finite). */
  ci95: z.tuple([z.number(), z.number()]).nullable().default(null),
  /** The baseline perplexity's own 95% interval over the windows. */
  baselineCi95: z.tuple([z.number(), z.number()]).nullable().default(null),
});
export type Effect = z.infer<typeof effectSchema>;

/**
 * A point of a further pre-training curve: `relative` = ppl / ppl at step 0; `ppl` when the absolute
 * value was recorded. `run`: "nothing frozen", "region frozen" or "control frozen".
 */
export const curvePointSchema = z.object({
  run: z.string(),
  language: z.string(),
  /** Whether this is the language trained on (its curve should go down). */
  trained: z.boolean(),
  step: count,
  relative: z.number(),
  ppl: z.number().optional(),
});
export type CurvePoint = z.infer<typeof curvePointSchema>;

/** One region assertion (one `task.meta.regions` record), normalised. */
export const assertionEntrySchema = z.object({
  /** The assertion passed (holds !== negated). */
  passed: z.boolean(),
  /** The assertion was `.not` (the thresholds file expects the finding not to hold). */
  negated: z.boolean(),
  /** The finding held under the thresholds. */
  holds: z.boolean(),
  claim: z.string(),
  failures: z.array(z.string()),
  successes: z.array(z.string()),
  thresholds: z.record(z.string(), z.unknown()),
  seeds: z.record(z.string(), z.number()),
  checkpoint: z.object({ dir: z.string(), hash: z.string(), label: z.string() }).nullable(),
  regions: z.record(z.string(), regionEntrySchema),
  tables: z.array(resultTableSchema),
  effects: z.array(effectSchema),
  curves: z.array(curvePointSchema),
  /** The matcher's raw numbers, as recorded. */
  measured: z.record(z.string(), z.unknown()),
});
export type AssertionEntry = z.infer<typeof assertionEntrySchema>;

/**
 * A finding as one test checked it: every assertion of one matcher in one test. A spec usually asserts
 * inside a fast-check property, so one test makes several assertions (one per run, more while shrinking
 * a counterexample), with arguments and seeds that vary between runs; grouping them gives a key that is
 * stable across runs, which is what `regions compare` matches on.
 */
export const findingEntrySchema = z.object({
  /** `<file> › <full test name> › <matcher>`. */
  key: z.string(),
  /** The key of the test. */
  test: z.string(),
  /** coreRegion, dimensionSensitivity, monolingual, frozenPretrain (or a newer finding). */
  finding: z.string(),
  matcher: z.string(),
  /** Every assertion passed. */
  passed: z.boolean(),
  /** The assertion the report shows in full: the last that failed (fast-check's smallest counterexample), else the first. */
  shown: count,
  assertions: z.array(assertionEntrySchema).min(1),
});
export type FindingEntry = z.infer<typeof findingEntrySchema>;

export const testStateSchema = z.enum(['passed', 'failed', 'skipped', 'pending']);
export type TestState = z.infer<typeof testStateSchema>;

export const testEntrySchema = z.object({
  /** `<file> › <full test name>`. */
  key: z.string(),
  /** Relative to the vitest root, with forward slashes. */
  file: z.string(),
  /** Full name: suites and test joined by " > ". */
  name: z.string(),
  state: testStateSchema,
  durationMs: z.number().nullable(),
  /** Error messages (colours stripped). */
  errors: z.array(z.string()),
  /** Records in `task.meta.regions` that could not be read, with why. */
  warnings: z.array(z.string()),
  /** How many region assertions this test recorded. */
  assertions: count,
});
export type TestEntry = z.infer<typeof testEntrySchema>;

const hashedFolderSchema = z.object({ dir: z.string(), sha256: z.string(), files: count }).nullable();

export const provenanceSchema = z.object({
  /** ISO times of the run and its wall time in ms; null for a merge of shards (each shard's job has its own). */
  startedAt: z.string().nullable(),
  finishedAt: z.string(),
  wallTimeMs: z.number().nullable(),
  /** Time spent running the test files, summed over files (so over workers and shards), in ms. */
  testTimeMs: z.number(),
  /** Checkpoints measured (from the findings): folder, content hash (config, weights, tokenizer), label. */
  checkpoints: z.array(z.object({ dir: z.string(), hash: z.string(), label: z.string() })),
  /** The plugin's checkpoint option (or $REGIONS_CHECKPOINT), when the plugin is configured. */
  checkpointOption: z.string().nullable(),
  /** Content hashes of the evaluation and training text folders (sorted `<lang>.txt`: name, size, bytes). */
  corpus: z.object({ texts: hashedFolderSchema, trainTexts: hashedFolderSchema }),
  /** The tfjs backend: as measured (`source: measured`), else as requested by the options. */
  backend: z.object({ name: z.string().nullable(), device: z.string().nullable(), source: z.enum(['measured', 'requested', 'unknown']) }),
  /** The project (name@version) and the installed version of each package it declares (null: not installed). */
  project: z.string().nullable(),
  packages: z.record(z.string(), z.string().nullable()),
  node: z.string(),
  platform: z.string(),
  vitest: z.object({ version: z.string(), merged: z.boolean(), shard: z.string().nullable() }),
  /** The plugin's fast-check seed and runs, and the REGIONS_* environment that overrode options. */
  seeds: z.object({ seed: z.number().nullable(), runs: z.number().nullable() }),
  env: z.record(z.string(), z.string()),
  /** GitHub Actions context, when run there. */
  ci: z.record(z.string(), z.string()).nullable(),
});
export type Provenance = z.infer<typeof provenanceSchema>;

/**
 * Whether the run checked everything it was configured to (see ./completeness.ts). A partial run
 * is worth a look but is no baseline: its missing findings would read as dropped.
 */
export const runSchema = z.object({
  /** Every test file of the reported projects ran, no filter left a test out, and the run ended on its own without unhandled errors. */
  complete: z.boolean(),
  /** vitest ended the run early (Ctrl-C, --bail, a cancelled run). */
  interrupted: z.boolean(),
  /** Why the run is not complete, a sentence each; empty when it is. */
  reasons: z.array(z.string()),
});
export type RunCompleteness = z.infer<typeof runSchema>;

export const resultsSchema = z.object({
  schema: z.literal(RESULTS_SCHEMA),
  provenance: provenanceSchema,
  /** Absent in files written before vitest-regions recorded it: then only `summary.reason` tells. */
  run: runSchema.optional(),
  summary: z.object({
    /** vitest's reason the run ended. */
    reason: z.enum(['passed', 'failed', 'interrupted']),
    tests: z.object({ total: count, passed: count, failed: count, skipped: count }),
    /** Findings are (test, matcher) groups; assertions are the records in them. */
    findings: z.object({ total: count, passed: count, failed: count }),
    assertions: z.object({ total: count, passed: count, failed: count }),
  }),
  /** Baseline (unperturbed) perplexity of the checkpoint per language, from the findings' measurements. */
  perplexity: z.record(z.string(), z.number()),
  /** Each baseline perplexity's 95% interval over the evaluation windows (absent in files written before the intervals). */
  perplexityCi95: z.record(z.string(), z.tuple([z.number(), z.number()])).default({}),
  tests: z.array(testEntrySchema),
  findings: z.array(findingEntrySchema),
  regionData: z.record(z.string(), z.object({ fingerprint: regionFingerprintSchema.optional(), layout: regionLayoutSchema.optional() })),
  errors: z.array(z.string()),
});
export type Results = z.infer<typeof resultsSchema>;

/**
 * Validates a parsed results file.
 * @throws Error naming the file and the field, e.g. `a.json: findings.0.passed: expected boolean`.
 */
export function parseResults(value: unknown, file = 'results'): Results {
  const parsed = resultsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = firstIssue(parsed.error, value);
  const where = issue.field || '(root)';
  const hint = issue.top === 'schema' ? ` (is it a results.json written by vitest-regions' reporter? expected "${RESULTS_SCHEMA}")` : '';
  throw new Error(`${file}: ${where}: ${issue.message}${hint}`);
}

/** Reads and validates a results file. @throws Error naming the file (unreadable, not JSON, a bad field). */
export function loadResults(file: string): Results {
  return parseResults(readJsonFile(file, 'results'), file);
}

/** How the findings came out: as the thresholds file expected or not, and whether each held (every assertion), did not (none) or in part. */
export interface FindingVerdicts {
  total: number;
  asExpected: number;
  holds: number;
  doesNotHold: number;
  inPart: number;
}

/** Counts {@link FindingVerdicts} over a results file's findings. */
export function findingVerdicts(findings: readonly FindingEntry[]): FindingVerdicts {
  const out: FindingVerdicts = { total: findings.length, asExpected: 0, holds: 0, doesNotHold: 0, inPart: 0 };
  for (const f of findings) {
    if (f.passed) out.asExpected++;
    const held = f.assertions.filter((a) => a.holds).length;
    if (held === f.assertions.length) out.holds++;
    else if (held === 0) out.doesNotHold++;
    else out.inPart++;
  }
  return out;
}

/**
 * The findings in words, keeping "as expected" apart from "holds": "7 of 7 findings as expected — 1 holds,
 * 6 do not hold". A finding the thresholds file expects not to hold is as expected when it does not hold.
 */
export function verdictLine(v: FindingVerdicts): string {
  const parts = [`${v.holds} ${v.holds === 1 ? 'holds' : 'hold'}`, `${v.doesNotHold} ${v.doesNotHold === 1 ? 'does' : 'do'} not hold`];
  if (v.inPart > 0) parts.push(`${v.inPart} ${v.inPart === 1 ? 'holds' : 'hold'} in part`);
  return `${v.asExpected} of ${v.total} findings as expected — ${parts.join(', ')}`;
}
