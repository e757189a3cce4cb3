/** A region matcher's verdict: its message, and the record it leaves on the test for reporters. */
import type { MatcherState } from 'vitest';
import { renderTable } from '../../findings/measure/format.js';
import type { FindingResult, RegionsRecord } from '../../findings/measure/result.js';
import type { RegionsSubject } from '../../findings/subject.js';

/** What a region matcher resolves to (vitest's synchronous expectation result). */
export interface MatcherOutcome {
  pass: boolean;
  message: () => string;
}

/** The receiver must be a subject; anything else is a usage error, not a failed finding (so `.not` cannot pass on it). */
export function asSubject(received: unknown, matcher: string): RegionsSubject {
  const s = received as Partial<RegionsSubject> | null;
  if (typeof s !== 'object' || s === null || typeof s.baseline !== 'function' || typeof s.perplexity !== 'function' || typeof s.hash !== 'string' || typeof s.thresholds !== 'object') {
    throw new TypeError(`${matcher}: expect(…) must receive a RegionsSubject (the \`subject\` fixture, or await openSubject(options)); got ${typeof received === 'object' ? String(received?.constructor?.name ?? received) : typeof received}`);
  }
  return s as RegionsSubject;
}

/** Appends the result to `task.meta.regions` (plain JSON), when the matcher runs inside a test. */
function record(state: MatcherState, entry: RegionsRecord): void {
  const task = state.task;
  if (task === undefined) return;
  const meta = task.meta as { regions?: RegionsRecord[] };
  (meta.regions ??= []).push(JSON.parse(JSON.stringify(entry)) as RegionsRecord);
}

/**
 * The failure message: the matcher hint, what was expected, the verdict line by line, then the
 * per-language tables. Pass and `.not` have their own wording:
 *   - failed: "Expected: <claim>" then "Received: it did not hold:" and a ✗ line per failed condition;
 *   - `.not` failed: "Expected the finding not to hold: <claim>" then "Received: it held:" and a ✓ line
 *     per condition met.
 */
export function message(state: MatcherState, matcher: string, argument: string, result: FindingResult): string {
  const { utils, isNot, promise } = state;
  const hint = utils.matcherHint(matcher, 'subject', argument, { isNot, promise });
  const lines = isNot
    ? ['Received: it held:', ...result.successes.map((s) => `  ✓ ${s}`)]
    : ['Received: it did not hold:', ...result.failures.map((f) => `  ✗ ${f}`)];
  return [
    hint,
    '',
    `${isNot ? 'Expected the finding not to hold' : 'Expected'}: ${utils.EXPECTED_COLOR(result.claim)}`,
    ...lines.map((l, i) => (i === 0 ? l : utils.RECEIVED_COLOR(l))),
    `Checkpoint: ${result.subject.label} at ${result.subject.dir}`,
    '',
    ...result.tables.map((t) => renderTable(t)).join('\n\n').split('\n'),
  ].join('\n');
}

/** The matcher's result: pass = the finding held (vitest inverts for `.not`), the message, and the record for the reporter. */
export function conclude(state: MatcherState, matcher: string, argument: string, result: FindingResult): MatcherOutcome {
  const negated = state.isNot === true; // vitest leaves it undefined without .not
  record(state, { ...result, matcher, negated, passed: result.holds !== negated });
  return { pass: result.holds, message: () => message(state, matcher, argument, result) };
}
