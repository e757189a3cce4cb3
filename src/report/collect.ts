/**
 * From what vitest reports to results.json: each test's verdict and the records its region assertions
 * left in `task.meta.regions` (read by ./records.ts), grouped into findings — one per (test, matcher) —
 * with region data deduplicated by content hash and the baseline perplexity per language. Pure: no
 * vitest, no file system; a record it cannot read becomes a warning on its test, never a crash.
 */
import { backendOf, readRecord } from './records.js';
import { RESULTS_SCHEMA, type AssertionEntry, type FindingEntry, type Provenance, type Results, type RunCompleteness, type TestEntry, type TestState } from './results.js';

/** One test as the reporter saw it (a vitest TestCase, reduced to what results.json needs). */
export interface CollectedTest {
  /** Relative to the vitest root. */
  file: string;
  /** Full name: suites and test joined by " > ". */
  name: string;
  state: TestState;
  durationMs: number | null;
  /** Error messages (colours stripped). */
  errors: string[];
  /** The test's `task.meta` (the records are under `regions`). */
  meta: unknown;
}

/** The records a test left in `task.meta.regions` (any other meta is ignored). */
function recordsOf(meta: unknown): unknown[] | null {
  if (typeof meta !== 'object' || meta === null) return [];
  const regions = (meta as { regions?: unknown }).regions;
  if (regions === undefined) return [];
  return Array.isArray(regions) ? regions : null;
}

/** The backend the tests measured on, from the first record that says (see {@link backendOf}). */
export function measuredBackend(tests: readonly CollectedTest[]): { name: string; device: string } | null {
  for (const t of tests) {
    for (const raw of recordsOf(t.meta) ?? []) {
      const backend = backendOf(raw);
      if (backend !== null) return backend;
    }
  }
  return null;
}

/** Input of {@link buildResults}. */
export interface BuildInput {
  tests: readonly CollectedTest[];
  /** Unhandled errors of the run (messages). */
  errors: readonly string[];
  reason: Results['summary']['reason'];
  /** Whether the run was complete (see ./completeness.ts); left out, results.json does not say. */
  run?: RunCompleteness;
  /** The run's provenance, given the findings (which name the checkpoints measured). */
  provenance: (findings: readonly FindingEntry[]) => Provenance;
}

/** The assertion a report shows in full: the last failed one (fast-check's final counterexample), else the first. */
function shownAssertion(assertions: readonly AssertionEntry[]): number {
  const failed = assertions.map((a, i) => (a.passed ? -1 : i)).filter((i) => i >= 0);
  return failed.length > 0 ? failed[failed.length - 1]! : 0;
}

/**
 * Builds results.json: tests in file order (then the order vitest ran them in a file); findings in test
 * order, one per (test, matcher) with its assertions in the order they were made; region data
 * deduplicated by content hash; baseline perplexity per language (the first measured).
 */
export function buildResults(input: BuildInput): Results {
  const ordered = input.tests.map((t, i) => ({ t, i })).sort((a, b) => (a.t.file < b.t.file ? -1 : a.t.file > b.t.file ? 1 : a.i - b.i));
  const tests: TestEntry[] = [];
  const findings: FindingEntry[] = [];
  const regionData: Results['regionData'] = {};
  const perplexity: Record<string, number> = {};
  const perplexityCi95: Record<string, [number, number]> = {};

  for (const { t } of ordered) {
    const testKey = `${t.file} › ${t.name}`;
    const warnings: string[] = [];
    const records = recordsOf(t.meta);
    if (records === null) warnings.push('task.meta.regions is not a list');
    const groups = new Map<string, { finding: string; assertions: AssertionEntry[] }>();
    let recorded = 0;
    for (const [i, raw] of (records ?? []).entries()) {
      const read = readRecord(raw);
      if ('problem' in read) {
        warnings.push(`task.meta.regions[${i}]: ${read.problem}`);
        continue;
      }
      const { assertion, matcher } = read;
      for (const e of assertion.effects) {
        if (!(e.language in perplexity)) perplexity[e.language] = e.baseline;
        if (!(e.language in perplexityCi95) && e.baselineCi95 !== null) perplexityCi95[e.language] = e.baselineCi95;
      }
      for (const [sha, data] of Object.entries(read.regionData)) {
        const kept = (regionData[sha] ??= {});
        if (kept.fingerprint === undefined && data.fingerprint !== undefined) kept.fingerprint = data.fingerprint;
        if (kept.layout === undefined && data.layout !== undefined) kept.layout = data.layout;
      }
      let group = groups.get(matcher);
      if (group === undefined) groups.set(matcher, (group = { finding: read.finding, assertions: [] }));
      group.assertions.push(assertion);
      recorded++;
    }
    for (const [matcher, { finding, assertions }] of groups) {
      findings.push({ key: `${testKey} › ${matcher}`, test: testKey, finding, matcher, passed: assertions.every((a) => a.passed), shown: shownAssertion(assertions), assertions });
    }
    tests.push({ key: testKey, file: t.file, name: t.name, state: t.state, durationMs: t.durationMs, errors: t.errors, warnings, assertions: recorded });
  }

  const countTests = (state: TestState) => tests.filter((t) => t.state === state).length;
  const assertions = findings.flatMap((f) => f.assertions);
  return {
    schema: RESULTS_SCHEMA,
    provenance: input.provenance(findings),
    ...(input.run === undefined ? {} : { run: input.run }),
    summary: {
      reason: input.reason,
      tests: { total: tests.length, passed: countTests('passed'), failed: countTests('failed'), skipped: countTests('skipped') },
      findings: { total: findings.length, passed: findings.filter((f) => f.passed).length, failed: findings.filter((f) => !f.passed).length },
      assertions: { total: assertions.length, passed: assertions.filter((a) => a.passed).length, failed: assertions.filter((a) => !a.passed).length },
    },
    perplexity,
    perplexityCi95,
    tests,
    findings,
    regionData,
    errors: [...input.errors],
  };
}
