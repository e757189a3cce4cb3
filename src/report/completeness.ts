/**
 * Did a run check everything it was configured to? A run of one spec file, a `-t` filter, a shard, a
 * run cut short by Ctrl-C or `--bail`, or one with unhandled errors (a crashed worker loses its file's
 * results) measured only part of the findings. Its results.json must say so: written over the last
 * complete one it would lose findings, and as a `regions compare` baseline it would make every finding
 * it skipped look new. Pure: the reporter gathers the scope from vitest (./reporter.ts).
 *
 * A test skipped in the spec itself (`test.skip`, `skipIf`) is part of a complete run; one skipped by a
 * filter given to vitest is not. A `.only` left in a spec is not seen (CI forbids it: vitest's
 * `allowOnly` is false there).
 */
import type { RunCompleteness } from './results.js';

/** What the reporter saw of a run; see {@link judgeRun}. */
export interface RunScope {
  /** vitest's reason the run ended. */
  reason: 'passed' | 'failed' | 'interrupted';
  unhandledErrors: number;
  /** Every test file of the reported projects (relative to the vitest root, `/`-separated). */
  files: readonly string[];
  /** The test files that ran (were collected), same form. */
  ran: readonly string[];
  /** The test filters given to vitest, as a user would write them: `-t "core"`, `specs/a.spec.ts:12`. */
  filters: readonly string[];
  /** Tests that were skipped (by the spec or by a filter: vitest does not say which). */
  skipped: number;
  /** Tests collected that never finished. */
  unfinished: number;
  /** `index/count` when this run is one shard (not a merge of shards). */
  shard: string | null;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const MAX_LISTED = 5;

function listed(files: readonly string[]): string {
  const more = files.length - MAX_LISTED;
  return files.slice(0, MAX_LISTED).join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/** Whether a run was complete, and if not, why (one sentence per reason). */
export function judgeRun(scope: RunScope): RunCompleteness {
  const reasons: string[] = [];
  const interrupted = scope.reason === 'interrupted';
  if (interrupted) reasons.push('the run was interrupted (Ctrl-C, --bail or a cancelled run)');
  if (scope.unhandledErrors > 0) reasons.push(`${plural(scope.unhandledErrors, 'unhandled error')} (a crashed worker loses the results of its file)`);
  if (scope.shard !== null) reasons.push(`shard ${scope.shard} only (merge the shards' blob reports with vitest --merge-reports for the whole run)`);
  const ran = new Set(scope.ran);
  const notRun = scope.files.filter((f) => !ran.has(f));
  if (notRun.length > 0) reasons.push(`${notRun.length} of ${plural(scope.files.length, 'test file')} did not run: ${listed(notRun)}`);
  if (scope.filters.length > 0 && scope.skipped > 0) reasons.push(`${plural(scope.skipped, 'test')} skipped by ${scope.filters.join(', ')}`);
  if (scope.unfinished > 0) reasons.push(`${plural(scope.unfinished, 'test')} did not finish`);
  return { complete: reasons.length === 0, interrupted, reasons };
}
