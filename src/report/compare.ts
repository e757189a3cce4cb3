/**
 * Two results files, a baseline (e.g. the last main-branch run) and a current run (a new checkpoint):
 * did anything regress? Three kinds of check, each a row of the comparison:
 * - **finding**: each finding (a test's assertions of one matcher, matched by file › test › matcher) must
 *   pass or fail as it did — a flip either way fails (fail → pass means the thresholds file's `expected`
 *   is out of date), and so does a finding the current run no longer checked ("missing": nothing shows it
 *   did not regress — it may have been renamed, filtered out or lost to a crash); a finding the baseline
 *   lacks is "new": listed and counted, not compared, not a regression;
 * - **perplexity**: each language's baseline perplexity may rise by at most `pplTolerance` (relative) — and
 *   where both runs carry its 95% interval over the evaluation windows (`perplexityCi95`), a rise beyond the
 *   tolerance counts only when the intervals do not overlap (the current lower end above the baseline's upper
 *   end): a change the windows' own noise could make is listed, "within noise", not failed;
 * - **region**: the core region (per k measured in both runs) must overlap its baseline by Jaccard ≥
 *   `minJaccard`, computed from the fingerprints (see ./fingerprint.ts: exact on small models, a ±0.016
 *   sketch estimate on large ones).
 *
 * The baseline must be a complete run (results.json's `run`, see ./completeness.ts): against a partial
 * one, every finding it did not run would pass as new. A partial current run is compared, and what it did
 * not run is reported missing.
 */
import { formatPercent, renderTable } from '../findings/measure/format.js';
import { fingerprintOverlap } from '../region-data/fingerprint.js';
import type { RegionFingerprint, Results } from './results.js';

/** Bounds of {@link compareResults}. */
export interface CompareOptions {
  /** Largest allowed relative rise of a language's perplexity (default 0.05: +5%). */
  pplTolerance?: number;
  /** Smallest allowed Jaccard overlap of the core region with the baseline's (default 0.5). */
  minJaccard?: number;
}

export const COMPARE_DEFAULTS = { pplTolerance: 0.05, minJaccard: 0.5 } as const;

/** One row of a comparison. */
export interface Check {
  kind: 'finding' | 'perplexity' | 'region';
  /** The finding's key, the language, or the region ("core region, k = 1%"). */
  subject: string;
  baseline: string;
  current: string;
  /** What was required. */
  bound: string;
  ok: boolean;
  /** false: listed, not compared (a new finding, a region k only one run drew). */
  compared: boolean;
  /** Why, in a few words: "pass → FAIL", "+9.2%", "Jaccard 0.31 (exact)". */
  note: string;
}

/** The outcome of {@link compareResults}. */
export interface Comparison {
  ok: boolean;
  regressions: number;
  options: Required<CompareOptions>;
  checks: Check[];
  /** What could not be compared, and why (not regressions). */
  notes: string[];
}

const verdict = (passed: boolean) => (passed ? 'pass' : 'FAIL');

/** Why a results file is not a complete run (`run`, or for older files an interrupted `summary.reason`), or null. */
export function partialRun(r: Results): string | null {
  if (r.run !== undefined) return r.run.complete ? null : r.run.reasons.join('; ') || 'partial';
  return r.summary.reason === 'interrupted' ? 'the run was interrupted' : null;
}

/**
 * Refuses a partial baseline (see the file comment).
 * @throws Error naming the file and why the run was partial.
 */
export function refusePartialBaseline(baseline: Results, file = 'baseline'): void {
  const why = partialRun(baseline);
  if (why === null) return;
  throw new Error(
    `${file}: run: a partial run (${why}) is no baseline — every finding it did not run would pass as new. ` +
      "Compare against the results.json of a complete run (the reporter writes a partial run's as results.partial.json).",
  );
}

function findingChecks(a: Results, b: Results): Check[] {
  const current = new Map(b.findings.map((f) => [f.key, f]));
  const baseline = new Map(a.findings.map((f) => [f.key, f]));
  const checks: Check[] = [];
  for (const f of a.findings) {
    const g = current.get(f.key);
    const was = f.assertions[f.shown]!;
    const bound = `same verdict (${was.negated ? 'expected not to hold' : 'expected to hold'})`;
    if (g === undefined) {
      checks.push({ kind: 'finding', subject: f.key, baseline: verdict(f.passed), current: 'missing', bound, ok: false, compared: true, note: 'not measured in the current run' });
      continue;
    }
    const now = g.assertions[g.shown]!;
    const flipped = f.passed !== g.passed;
    const note = flipped
      ? `${verdict(f.passed)} → ${verdict(g.passed)}${was.negated !== now.negated ? ' (expected changed)' : ''}`
      : was.holds !== now.holds
        ? `finding ${now.holds ? 'holds' : 'no longer holds'}, as now expected`
        : 'unchanged';
    checks.push({ kind: 'finding', subject: f.key, baseline: verdict(f.passed), current: verdict(g.passed), bound, ok: !flipped, compared: true, note });
  }
  for (const g of b.findings) {
    if (!baseline.has(g.key)) checks.push({ kind: 'finding', subject: g.key, baseline: 'missing', current: verdict(g.passed), bound: '—', ok: true, compared: false, note: 'new: not in the baseline' });
  }
  return checks;
}

const withInterval = (ppl: number, ci: readonly [number, number] | undefined) => (ci === undefined ? ppl.toPrecision(4) : `${ppl.toPrecision(4)} [${ci[0].toPrecision(3)}–${ci[1].toPrecision(3)}]`);

function perplexityChecks(a: Results, b: Results, tolerance: number): Check[] {
  return Object.entries(a.perplexity).map(([language, before]) => {
    const after = b.perplexity[language];
    const ciBefore = a.perplexityCi95[language];
    const ciAfter = b.perplexityCi95[language];
    const noise = ciBefore !== undefined && ciAfter !== undefined;
    const bound = `≤ +${formatPercent(tolerance)}${noise ? ', beyond noise' : ''}`;
    if (after === undefined) return { kind: 'perplexity', subject: language, baseline: withInterval(before, ciBefore), current: 'missing', bound, ok: false, compared: true, note: 'not measured in the current run' };
    const rise = (after - before) / before;
    const change = `${rise >= 0 ? '+' : '−'}${formatPercent(Math.abs(rise))}`;
    // Beyond the tolerance, and (where both runs carry intervals) beyond what the windows' noise explains.
    const separated = noise && ciAfter[0] > ciBefore[1];
    const ok = rise <= tolerance || (noise && !separated);
    const note = rise > tolerance && noise && !separated ? `${change} (within noise: the 95% intervals overlap)` : change;
    return { kind: 'perplexity', subject: language, baseline: withInterval(before, ciBefore), current: withInterval(after, ciAfter), bound, ok, compared: true, note };
  });
}

/** The core (top-k) regions a results file fingerprinted, by "core region, k = 1%". */
function coreRegions(r: Results): Map<string, RegionFingerprint | null> {
  const out = new Map<string, RegionFingerprint | null>();
  for (const a of r.findings.flatMap((f) => f.assertions)) {
    for (const region of Object.values(a.regions)) {
      if (region.kind !== 'top') continue;
      const label = `core region, k = ${formatPercent(region.fraction)}`;
      const fingerprint = r.regionData[region.sha256]?.fingerprint ?? null;
      if (!out.has(label) || (out.get(label) === null && fingerprint !== null)) out.set(label, fingerprint);
    }
  }
  return out;
}

function regionChecks(a: Results, b: Results, minJaccard: number): Check[] {
  const before = coreRegions(a);
  const after = coreRegions(b);
  const checks: Check[] = [];
  const bound = `Jaccard ≥ ${minJaccard}`;
  for (const [label, fa] of before) {
    if (fa === null) continue; // nothing to compare against
    const fb = after.get(label);
    const entries = (f: RegionFingerprint) => `${f.entries.toLocaleString('en')} entries`;
    if (fb === undefined) {
      // A property draws k from a few values: a k only one run happened to draw is not a regression.
      checks.push({ kind: 'region', subject: label, baseline: entries(fa), current: 'not measured', bound, ok: true, compared: false, note: 'not compared' });
      continue;
    }
    if (fb === null) {
      checks.push({ kind: 'region', subject: label, baseline: entries(fa), current: 'no fingerprint', bound, ok: false, compared: true, note: 'cannot tell whether it moved' });
      continue;
    }
    const o = fingerprintOverlap(fa, fb);
    const estimate = o.method === 'sketch' ? `≈ ${o.jaccard.toFixed(3)} ± ${o.standardError.toFixed(3)} (sketch)` : `${o.jaccard.toFixed(3)} (${o.method})`;
    checks.push({ kind: 'region', subject: label, baseline: entries(fa), current: entries(fb), bound, ok: o.jaccard >= minJaccard, compared: true, note: `Jaccard ${estimate}` });
  }
  return checks;
}

/**
 * Compares a current results file with a baseline (see the file comment). Pure; `ok` is false when any
 * check failed.
 * @throws Error when the baseline is a partial run ({@link refusePartialBaseline}).
 */
export function compareResults(baseline: Results, current: Results, options: CompareOptions = {}): Comparison {
  refusePartialBaseline(baseline);
  const o = { ...COMPARE_DEFAULTS, ...options };
  const checks = [...findingChecks(baseline, current), ...perplexityChecks(baseline, current, o.pplTolerance), ...regionChecks(baseline, current, o.minJaccard)];
  const notes: string[] = [];
  const partial = partialRun(current);
  if (partial !== null) notes.push(`the current run is partial (${partial}): what it did not run is reported missing`);
  const added = checks.filter((c) => c.kind === 'finding' && !c.compared).length;
  if (added > 0) notes.push(`${added} finding${added === 1 ? '' : 's'} new in the current run, not in the baseline: listed, not compared`);
  if (![...coreRegions(baseline).values()].some((f) => f !== null)) {
    notes.push('core region not compared: the baseline recorded no fingerprint of it (its matchers attach none)');
  }
  const regressions = checks.filter((c) => !c.ok).length;
  return { ok: regressions === 0, regressions, options: o, checks, notes };
}

const TITLES: Record<Check['kind'], string> = {
  finding: 'findings (each must keep its verdict)',
  perplexity: 'baseline perplexity per language',
  region: 'core region overlap with the baseline',
};

/** The comparison as text: one table per kind of check (✗ a regression, – not compared), then the verdict line. */
export function formatComparison(c: Comparison, names: { baseline: string; current: string } = { baseline: 'baseline', current: 'current' }): string {
  const parts = [`regions compare: ${names.current} against ${names.baseline}`];
  for (const kind of ['finding', 'perplexity', 'region'] as const) {
    const rows = c.checks.filter((x) => x.kind === kind);
    if (rows.length === 0) continue;
    parts.push(
      renderTable({
        title: TITLES[kind],
        columns: [kind === 'perplexity' ? 'language' : kind, 'baseline', 'current', 'bound', 'change', ''],
        rows: rows.map((x) => [x.subject, x.baseline, x.current, x.bound, x.note, !x.ok ? '✗' : x.compared ? '✓' : '–']),
      }),
    );
  }
  if (c.checks.length === 0) parts.push('  nothing to compare: the baseline recorded no findings, perplexities or core region fingerprints');
  else parts.push(...c.notes.map((n) => `  ${n}`));
  const added = c.checks.filter((x) => x.kind === 'finding' && !x.compared).length;
  const news = added === 0 ? '' : ` (${added} new finding${added === 1 ? '' : 's'}, not compared)`;
  parts.push(c.ok ? `no regressions${news}` : `${c.regressions} regression${c.regressions === 1 ? '' : 's'}${news}: ${summarize(c)}`);
  return `${parts.join('\n\n')}\n`;
}

function summarize(c: Comparison): string {
  const bad = c.checks.filter((x) => !x.ok);
  return bad.map((x) => `${x.kind} ${x.subject} (${x.note})`).join('; ');
}
