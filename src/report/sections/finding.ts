/**
 * One finding's article: the verdict of the assertion shown (the last that failed, else the first), its
 * numbers against the thresholds as the matcher tabulated them, its charts, a row per assertion when a
 * property made several, and where the numbers came from.
 */
import { forgettingChart } from '../charts/forgetting.js';
import { perplexityChart } from '../charts/perplexity.js';
import { profileChart } from '../charts/profile.js';
import { sensitivityChart } from '../charts/sensitivity.js';
import { findingEntry } from '../../findings/catalog.js';
import { escapeHtml as e } from '../internals/escape.js';
import { anchor, badge, charts, definitions, duration, empty, figure, findingTitle, keyValues, muted } from '../internals/markup.js';
import type { AssertionEntry, FindingEntry, RegionEntry, ResultTable, Results, TestEntry } from '../results.js';

function table(t: ResultTable): string {
  const last = t.columns.length - 1;
  const cell = (text: string, j: number) => {
    const cls = j === 0 ? 'text' : text === '✓' ? 'ok' : text === '✗' ? 'bad' : 'num';
    return `<td class="${cls}">${e(text)}</td>`;
  };
  return [
    '<table class="numbers">',
    `<caption>${e(t.title)}</caption>`,
    `<thead><tr>${t.columns.map((c, j) => `<th class="${j === 0 ? 'text' : j === last && c === '' ? 'ok' : 'num'}">${e(c)}</th>`).join('')}</tr></thead>`,
    `<tbody>${t.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody>`,
    '</table>',
  ].join('');
}

function regionLine(name: string, r: RegionEntry): string {
  const seed = r.seed === null ? '' : `, seed ${r.seed}`;
  return `<li><strong>${e(name)}</strong>: ${e(r.description || `${r.kind} region`)} — ${e(r.entries.toLocaleString('en'))} entries in ${e(r.weights)} weights${e(seed)}; sha256 <code>${e(r.sha256.slice(0, 16))}</code></li>`;
}

function findingProvenance(f: FindingEntry, a: AssertionEntry, test: TestEntry | undefined): string {
  const rows: [string, string][] = [
    ['test', `<code>${e(f.test)}</code>${test === undefined ? '' : ` — ${e(test.state)}, ${e(duration(test.durationMs))}`}`],
    ['assertion', `<code>${e(a.negated ? `expect(subject).not.${f.matcher}` : `expect(subject).${f.matcher}`)}</code>${f.assertions.length > 1 ? ` (run ${f.shown + 1} of ${f.assertions.length})` : ''}`],
    ['checkpoint', a.checkpoint === null ? muted('not recorded') : `${e(a.checkpoint.label)} — <code>${e(a.checkpoint.dir)}</code>, sha256 <code>${e(a.checkpoint.hash)}</code>`],
    ['thresholds', keyValues(a.thresholds)],
    ['seeds', keyValues(a.seeds)],
    ['regions', Object.keys(a.regions).length === 0 ? muted('none') : `<ul>${Object.entries(a.regions).map(([n, r]) => regionLine(n, r)).join('')}</ul>`],
  ];
  return `<details class="provenance"><summary>Provenance</summary>${definitions(rows)}</details>`;
}

async function findingCharts(f: FindingEntry, a: AssertionEntry): Promise<string> {
  // The chart the finding's declaration names (a record of an unknown finding gets the perplexity chart).
  const chart = findingEntry(f.finding)?.chart ?? 'perplexity';
  const sensitivity = () => figure('sensitivity', sensitivityChart(f.assertions, a.thresholds), 'Perplexity ratio per language at each dim under test and at the control dims, over every run; dashed: thresholds.');
  const parts = [
    chart === 'profile' ? await figure('profile', profileChart(a), 'Per layer: the largest residual activation over the median activation (label: its dim and the kind of position).') : '',
    chart === 'sensitivity' || chart === 'profile'
      ? await sensitivity()
      : chart === 'perplexity'
        ? await figure('perplexity', perplexityChart(a), 'Perplexity per language: the checkpoint as is, with the region zeroed, and with its control zeroed.')
        : '',
    await figure('forgetting', forgettingChart(a), 'Solid: nothing frozen; dashed: region frozen. Below 1: learned; above 1: forgotten.'),
  ];
  return charts(parts);
}

/** One line per region an assertion used: "top 1%", "random 1% seed 3". */
function regionsBrief(a: AssertionEntry): string {
  return Object.values(a.regions)
    .map((r) => `${r.kind} ${Number((r.fraction * 100).toPrecision(3))}%${r.seed === null ? '' : ` seed ${r.seed}`}`)
    .join(', ');
}

/**
 * Where a sweep over the region fraction k changes its verdict: of a finding's assertions (a property's runs
 * and fast-check's shrinking), the largest k at which the finding did not hold and the smallest at which it
 * did — for a failing property, the shrunk counterexample is the former. '' when k did not vary.
 */
export function sweepBoundary(f: FindingEntry): string {
  const runs = f.assertions.map((a) => ({ k: a.regions.region?.fraction, holds: a.holds })).filter((r): r is { k: number; holds: boolean } => typeof r.k === 'number');
  const ks = [...new Set(runs.map((r) => r.k))];
  if (ks.length < 2) return '';
  const pct = (k: number) => `${Number((k * 100).toPrecision(3))}%`;
  const held = runs.filter((r) => r.holds).map((r) => r.k);
  const not = runs.filter((r) => !r.holds).map((r) => r.k);
  const range = `k swept over ${pct(Math.min(...ks))}–${pct(Math.max(...ks))} (${ks.length} values)`;
  if (held.length === 0) return `${range}: the finding held at none of them.`;
  if (not.length === 0) return `${range}: the finding held at every one.`;
  const [minHeld, maxNot] = [Math.min(...held), Math.max(...not)];
  // As many digits as it takes to tell the two apart (shrinking brings them close).
  let digits = 3;
  while (digits < 12 && Number((maxNot * 100).toPrecision(digits)) === Number((minHeld * 100).toPrecision(digits))) digits++;
  const exact = (k: number) => `${Number((k * 100).toPrecision(digits))}%`;
  const boundary =
    maxNot < minHeld && exact(maxNot) === exact(minHeld)
      ? `the boundary is at k = ${exact(maxNot)}: the largest k where it did not hold and the smallest where it held agree to ${digits} digits`
      : maxNot < minHeld
      ? `the boundary lies between k = ${exact(maxNot)} (the largest where it did not hold) and ${exact(minHeld)} (the smallest where it held)`
      : `no single boundary: it held at ${pct(minHeld)} but not at ${pct(maxNot)}`;
  return `${range}: ${boundary}.`;
}

/** Every assertion of a finding (a property's runs), one row each; the one shown in full is marked. */
function runsTable(f: FindingEntry): string {
  const rows = f.assertions.map((a, i) => {
    const why = (a.holds ? a.successes[0] : a.failures[0]) ?? '';
    const measured = typeof a.measured.dim === 'number' ? `dim ${a.measured.dim}` : typeof a.measured.language === 'string' ? a.measured.language : regionsBrief(a);
    return `<tr${i === f.shown ? ' class="shown"' : ''}><td class="num">${i + 1}${i === f.shown ? ' ◀' : ''}</td><td>${badge(a.passed)}</td><td>${e(a.holds ? 'holds' : 'does not hold')}</td><td class="text">${e(measured)}</td><td class="text">${keyValues(a.seeds)}</td><td class="text">${e(why)}</td></tr>`;
  });
  const boundary = sweepBoundary(f);
  return `${boundary === '' ? '' : `<p class="boundary"><strong>Sweep:</strong> ${e(boundary)}</p>`}<table class="runs"><caption>${f.assertions.length} assertions (property runs${f.assertions.some((a) => !a.passed) ? ', then shrinking' : ''}); ◀ the one shown above</caption><thead><tr><th class="num">#</th><th>verdict</th><th>finding</th><th>on</th><th>seeds</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Links to the report-wide sections that draw more of this finding. */
function seeAlso(f: FindingEntry, a: AssertionEntry, regionData: Results['regionData']): string {
  const links: string[] = [];
  if (Object.values(a.regions).some((r) => regionData[r.sha256]?.layout !== undefined)) links.push('<a href="#region-layout">where the region sits</a>');
  if (f.finding === 'monolingual') links.push('<a href="#monolingual">every language’s monolingual region, side by side</a>');
  return links.length === 0 ? '' : `<p class="see">See also: ${links.join(' · ')}.</p>`;
}

/** The article of the i-th finding (0-based). */
export async function findingArticle(f: FindingEntry, i: number, r: Results, tests: ReadonlyMap<string, TestEntry>): Promise<string> {
  const a = f.assertions[f.shown]!;
  const expected = a.negated ? 'the finding does not hold' : 'the finding holds';
  const lines = a.holds ? a.successes.map((s) => `<li class="ok">✓ ${e(s)}</li>`) : a.failures.map((s) => `<li class="bad">✗ ${e(s)}</li>`);
  const runs = f.assertions.length === 1 ? '' : `<p class="runs">${f.assertions.filter((x) => x.passed).length} of ${f.assertions.length} assertions passed; showing ${a.passed ? 'the first' : 'the last that failed (the smallest counterexample found)'}.</p>`;
  return [
    `<article class="finding ${f.passed ? 'pass' : 'fail'}" id="${anchor(i)}" data-finding="${e(f.finding)}" data-passed="${f.passed}">`,
    `<h3>${badge(f.passed)} ${i + 1}. ${e(findingTitle(f))} <code class="matcher">${e(f.matcher)}</code></h3>`,
    `<p class="test">${e(f.test)}</p>`,
    runs,
    `<p class="claim"><strong>Claim:</strong> ${e(a.claim)}</p>`,
    `<p class="expect"><strong>Expected:</strong> ${e(expected)} · <strong>Measured:</strong> ${badge(a.holds, 'holds', 'does not hold')}</p>`,
    lines.length === 0 ? '' : `<ul class="verdict">${lines.join('')}</ul>`,
    a.tables.length === 0 ? empty('No measurements recorded.') : `<div class="tables">${a.tables.map(table).join('')}</div>`,
    await findingCharts(f, a),
    seeAlso(f, a, r.regionData),
    f.assertions.length === 1 ? '' : runsTable(f),
    findingProvenance(f, a, tests.get(f.test)),
    '</article>',
  ].join('');
}

