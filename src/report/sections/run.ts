/** The run as a whole: the summary table, every test with its errors, errors outside tests, provenance. */
import { escapeHtml as e } from '../internals/escape.js';
import { anchor, badge, definitions, duration, empty, findingTitle, keyValues, muted } from '../internals/markup.js';
import type { Provenance, Results } from '../results.js';

/** #summary: a row per finding, linking to its article. */
export function summarySection(r: Results): string {
  const rows = r.findings.map((f, i) => {
    const a = f.assertions[f.shown]!;
    const line = (a.holds ? a.successes[0] : a.failures[0]) ?? '';
    const passed = f.assertions.filter((x) => x.passed).length;
    return `<tr><td>${badge(f.passed)}</td><td><a href="#${anchor(i)}">${i + 1}. ${e(findingTitle(f))}</a></td><td class="text">${e(f.test)}</td><td>${e(a.negated ? 'does not hold' : 'holds')}</td><td>${e(a.holds ? 'holds' : 'does not hold')}</td><td class="num">${passed}/${f.assertions.length}</td><td class="text">${e(line)}</td></tr>`;
  });
  const body =
    rows.length === 0
      ? empty('No region assertions were recorded in this run.')
      : `<table class="summary"><thead><tr><th></th><th>finding</th><th>test</th><th>expected</th><th>measured</th><th class="num">passed</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  return `<section id="summary" data-section="summary"><h2>Summary</h2>${body}</section>`;
}

/** #tests: every test, its state, duration, assertions, errors and unreadable records. */
export function testsSection(r: Results): string {
  const rows = r.tests.map((t) => {
    const problems = [...t.errors, ...t.warnings.map((w) => `warning: ${w}`)];
    const details = problems.length === 0 ? '' : `<tr class="errors"><td></td><td colspan="4">${problems.map((p) => `<pre>${e(p)}</pre>`).join('')}</td></tr>`;
    return `<tr class="${e(t.state)}"><td><span class="state ${e(t.state)}">${e(t.state)}</span></td><td class="text"><code>${e(t.file)}</code></td><td class="text">${e(t.name)}</td><td class="num">${e(duration(t.durationMs))}</td><td class="num">${t.assertions}</td></tr>${details}`;
  });
  const s = r.summary.tests;
  const body = rows.length === 0 ? empty('No tests ran.') : `<table class="tests"><thead><tr><th>state</th><th>file</th><th>test</th><th class="num">duration</th><th class="num">assertions</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  return `<section id="tests" data-section="tests"><h2>Tests</h2><p>${s.total} tests: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped.</p>${body}</section>`;
}

/** #errors: unhandled errors and files that failed to load. */
export function errorsSection(r: Results): string {
  const body = r.errors.length === 0 ? empty('No errors outside tests.') : r.errors.map((m) => `<pre>${e(m)}</pre>`).join('');
  return `<section id="errors" data-section="errors"><h2>Errors outside tests</h2>${body}</section>`;
}

function hashed(h: Provenance['corpus']['texts']): string {
  return h === null ? muted('not recorded') : `<code>${e(h.dir)}</code> (${h.files} files), sha256 <code>${e(h.sha256)}</code>`;
}

/** #provenance: what would have to be the same to reproduce the run. */
export function provenanceSection(p: Provenance, r: Results): string {
  const checkpoints = p.checkpoints.length === 0 ? muted('none measured') : p.checkpoints.map((c) => `${e(c.label)} — <code>${e(c.dir)}</code>, sha256 <code>${e(c.hash)}</code>`).join('<br>');
  const packages = Object.entries(p.packages).map(([n, v]) => `<code>${e(n)}</code> ${e(v ?? 'not installed')}`).join(', ');
  const baseline = Object.entries(r.perplexity).map(([l, ppl]) => `<code>${e(l)}</code> ${e(ppl.toPrecision(4))}`).join(', ');
  const rows: [string, string][] = [
    ['checkpoint', checkpoints],
    ['checkpoint option', p.checkpointOption === null ? muted('not set') : `<code>${e(p.checkpointOption)}</code>`],
    ['baseline perplexity', baseline === '' ? muted('none measured') : baseline],
    ['evaluation texts', hashed(p.corpus.texts)],
    ['training texts', hashed(p.corpus.trainTexts)],
    ['backend', `${e(p.backend.name ?? 'unknown')}${p.backend.device === null ? '' : ` — ${e(p.backend.device)}`} (${e(p.backend.source)})`],
    ['seeds', `seed ${e(p.seeds.seed ?? 'not set')}, runs ${e(p.seeds.runs ?? 'not set')}`],
    ['environment', Object.keys(p.env).length === 0 ? muted('no REGIONS_* overrides') : keyValues(p.env)],
    ['run', `started ${e(p.startedAt ?? '—')}, finished ${e(p.finishedAt)}, wall time ${e(duration(p.wallTimeMs))}, test files ${e(duration(p.testTimeMs))}; ended: ${e(r.summary.reason)}`],
    ['vitest', `${e(p.vitest.version)}${p.vitest.merged ? ' (merged shard reports)' : ''}${p.vitest.shard === null ? '' : `, shard ${e(p.vitest.shard)}`}`],
    ['node', `${e(p.node)} on ${e(p.platform)}`],
    ['project', e(p.project ?? 'unknown')],
    ['packages', packages === '' ? muted('none found') : packages],
    ['CI', p.ci === null ? muted('not in CI') : keyValues(p.ci)],
  ];
  return `<section id="provenance" data-section="provenance"><h2>Provenance</h2>${definitions(rows)}</section>`;
}

