/**
 * What a measurement returns: plain JSON that a matcher turns into its message, that travels to the
 * reporter in `task.meta.regions`, and that a CLI can print — the same numbers everywhere.
 */
import { isAbsolute, relative, sep } from 'node:path';
import type { Finding } from '../catalog.js';

/** A table a human reads at a glance: cells already formatted (ppl, ×ratio, threshold, ✓/✗). */
export interface ResultTable {
  title: string;
  columns: string[];
  rows: string[][];
}

/** A region as a result records it. */
export interface RegionSummary {
  kind: string;
  fraction: number;
  languages: string[];
  /** Entries it holds, and in how many weights. */
  entries: number;
  weights: number;
  seed: number | null;
  /** Content hash of its masks. */
  sha256: string;
  /** e.g. "zero the top region (k = 1%, ar,es,ru,zh,ko,vi): 1234 entries in 28 weights". */
  description: string;
  /** Top regions only: a compact fingerprint (for `regions compare`) and counts per row/column (the report's heatmap). */
  fingerprint?: unknown;
  layout?: unknown;
}

/**
 * The outcome of checking one finding on one checkpoint. `M`: its raw numbers, typed by the measurement that made
 * them (./zeroing.ts's {@link ZeroingMeasured}, …); a record read back from JSON has the default.
 */
export interface FindingResult<M extends object = Record<string, unknown>> {
  finding: Finding;
  /** Whether the finding held under the thresholds (a `.not` assertion passes when it did not). */
  holds: boolean;
  /** The claim checked, in one sentence with its thresholds. */
  claim: string;
  subject: { dir: string; hash: string; label: string };
  /** One per measured condition (the region, its control, …). */
  tables: ResultTable[];
  /** Why it did not hold, one line per failed condition; empty when it held. */
  failures: string[];
  /** Why it held, one line per condition met (for `.not` messages). */
  successes: string[];
  thresholds: Record<string, unknown>;
  seeds: Record<string, number>;
  regions: Record<string, RegionSummary>;
  /** The raw numbers (perplexities, ratios, curves' summaries). */
  measured: M;
}

/**
 * A path as results and docs show it: relative to the working directory (forward slashes) where it lies
 * inside it, so a record names `fixtures/models/polyglot-v2`, not the machine's folders; else as given.
 */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel.split(sep).join('/');
}

/** The checkpoint a result is about: its folder ({@link shownPath}), content hash and label. */
export function subjectRecord(subject: { dir: string; hash: string; label: string }): FindingResult['subject'] {
  return { dir: shownPath(subject.dir), hash: subject.hash, label: subject.label };
}

/** What a matcher leaves on its test for reporters: `task.meta.regions` holds one per assertion, in order. */
export interface RegionsRecord extends FindingResult {
  /** e.g. `toLoseCompetenceWhenZeroed`. */
  matcher: string;
  /** The assertion was `.not`: it passes when the finding does not hold. */
  negated: boolean;
  /** Whether the assertion passed (`holds !== negated`). */
  passed: boolean;
}
