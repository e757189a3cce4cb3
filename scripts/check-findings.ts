/**
 * The specs and `npm run findings` measure the same thing the same way: after a spec run, every case of
 * docs/findings.json that a spec also asserted — the same finding, claim (the settings and region size are in
 * it), checkpoint and seeds — must have the same verdict and the same measured numbers, to the bit. Fixed-point
 * specs (each region language's monolingual region, the further pre-training runs) always match; the
 * property specs draw k and seeds, so they match only when a draw equals the documented point. Numbers agree
 * to the bit on a CPU of the model and SIMD level docs/findings.json was made on (its engine device and simd;
 * a report without simd, made before 2026-12-02, is held to the bit by name and falls back to the bound below
 * only if the bits differ, as one VM name has been CPUs whose results differ in the bits); on another CPU ONNX Runtime's
 * kernels round differently, so there they must agree within 1e-3 relative plus 1e-4 absolute: the
 * absolute part is for numbers near zero that are differences of near-equal measurements (a LAPE selectivity of
 * −0.0172, a control's forgetting prevented of 0.0015), where cancellation turns a 1e-6 rounding into a 1e-3
 * relative one (measured AMD EPYC vs Intel Xeon: 2.1e-5 and 3.1e-6 absolute). Exits 1 if a matched
 * case differs, if docs/findings.json is of another checkpoint, or if nothing matched.
 *
 *   npx tsx scripts/check-findings.ts [--results reports/results.json] [--findings docs/findings.json]
 */
import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cpuModel, sameKernels, simdLevel } from '../src/engine/devices.js';
import { loadResults } from '../src/report/results.js';
import type { FindingsReport } from '../src/findings/docs.js';

const { values: args } = parseArgs({
  options: { results: { type: 'string', default: 'reports/results.json' }, findings: { type: 'string', default: 'docs/findings.json' } },
});
const results = loadResults(args.results!);
const report = JSON.parse(readFileSync(args.findings!, 'utf8')) as FindingsReport;
const problems: string[] = [];
const assertions = results.findings.flatMap((f) => f.assertions.map((a) => ({ finding: f.finding, ...a })));
if (!assertions.some((a) => a.checkpoint?.hash === report.subject.hash)) {
  problems.push(`${args.findings} is of checkpoint ${report.subject.hash}, which the spec run did not measure: rerun npm run findings`);
}
// This runs on the machine that ran the specs (CI: right after them).
const kernels = sameKernels({ device: report.engine.device, simd: report.engine.simd ?? null }, { device: `CPU: ${cpuModel()}`, simd: simdLevel() });

/** How far two measured numbers may be apart: `relative` × the larger plus `absolute`; zero for both: to the bit. */
interface Bound {
  relative: number;
  absolute: number;
}
const TO_THE_BIT: Bound = { relative: 0, absolute: 0 };
const ACROSS_CPUS: Bound = { relative: 1e-3, absolute: 1e-4 };

/** The first path where a and b differ (numbers beyond `bound`), or null. */
function differs(a: unknown, b: unknown, bound: Bound, path = ''): string | null {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= bound.relative * Math.max(Math.abs(a), Math.abs(b)) + bound.absolute ? null : `${path}: ${a} vs ${b}`;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: ${a.length} vs ${b.length} entries`;
    for (let i = 0; i < a.length; i++) {
      const d = differs(a[i], b[i], bound, `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = differs((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], bound, `${path}.${k}`);
      if (d !== null) return d;
    }
    return null;
  }
  return isDeepStrictEqual(a, b) ? null : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

/** Compares every documented case the specs also asserted, within `bound`: how many matched, and what differed. */
function compare(bound: Bound): { matched: number; found: string[] } {
  let matched = 0;
  const found: string[] = [];
  for (const c of report.cases) {
    const same = assertions.filter(
      (a) => a.finding === c.finding && a.claim === c.result.claim && a.checkpoint?.hash === c.result.subject.hash && isDeepStrictEqual(a.seeds, c.result.seeds),
    );
    if (same.length === 0) continue;
    matched++;
    for (const a of same) {
      // The record went through JSON (task.meta): compare the case through JSON too.
      const measured = JSON.parse(JSON.stringify(c.result.measured)) as unknown;
      const d = differs(a.measured, measured, bound, 'measured');
      if (a.holds !== c.result.holds || d !== null) {
        found.push(`${c.finding} ${c.point}: the spec measured ${a.holds ? 'holds' : 'does not hold'}, ${args.findings} ${c.result.holds ? 'holds' : 'does not hold'}${d === null ? '' : `; ${d}`}`);
      }
    }
  }
  return { matched, found };
}

// To the bit where the kernels are the same, or may be (the same name, no SIMD level recorded): then, if the
// bits differ, the cross-CPU bound decides, as one VM name has been CPUs whose results differ in the bits.
let bound = kernels === 'no' ? ACROSS_CPUS : TO_THE_BIT;
let { matched, found } = compare(bound);
const fellBack = kernels === 'maybe' && found.length > 0;
if (fellBack) {
  bound = ACROSS_CPUS;
  ({ matched, found } = compare(bound));
}
problems.push(...found);
if (matched === 0 && problems.length === 0) problems.push(`no case of ${args.findings} was asserted by the spec run: nothing to compare`);
if (problems.length > 0) {
  // A property spec may assert the same point more than once (fast-check's examples, then a draw).
  const unique = [...new Set(problems)];
  console.error(`check-findings: ${unique.length} problem(s):\n${unique.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
const how =
  bound === TO_THE_BIT
    ? 'to the bit'
    : `within ${bound.relative} relative + ${bound.absolute} absolute: ${fellBack ? `the same CPU name, but ${args.findings} or this machine does not record a SIMD level (this one: ${simdLevel() ?? 'unknown'}) and the bits differ` : 'another CPU or SIMD level'}`;
console.error(`check-findings: ${matched} of ${report.cases.length} documented cases were asserted by the specs, with the same verdicts and numbers (${how})`);
