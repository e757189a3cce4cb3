/**
 * `reports/index.html` from results.json alone: one self-contained page (inline CSS, charts as inline
 * SVG rendered here in Node, no scripts, no external resources), so it opens offline from a CI artifact.
 * Every string that comes from results — languages, test names, paths, claims, error messages, table
 * cells — goes through {@link escapeHtml}; chart text is escaped by vega's SVG serialiser.
 *
 * Sections (each always present, with a note when empty), in order: #summary, #findings (one
 * article#finding-N per finding — a test's assertions of one matcher: the verdict, the numbers against
 * the thresholds, charts and provenance of the assertion shown, and a row per assertion),
 * #region-layout, #monolingual, #tests, #errors, #provenance.
 */
import { escapeHtml as e } from './internals/escape.js';
import { badge, empty } from './internals/markup.js';
import { STYLE } from './internals/style.js';
import { findingVerdicts, verdictLine, type Results } from './results.js';
import { findingArticle } from './sections/finding.js';
import { layoutSection, monolingualSection } from './sections/regions.js';
import { errorsSection, provenanceSection, summarySection, testsSection } from './sections/run.js';

export { FINDING_TITLES } from './internals/markup.js';

/** A partial run says so at the top: its findings are not all the specs'. */
function partialBanner(results: Results): string {
  const run = results.run;
  if (run === undefined || run.complete) return '';
  return `<p class="partial"><strong>Partial run</strong> — ${e(run.reasons.join('; '))}. Findings it did not run are not in this report; it is no baseline for <code>regions compare</code>.</p>`;
}

/** The report page for a results file: a complete, self-contained HTML document. No I/O. */
export async function renderReport(results: Results): Promise<string> {
  const tests = new Map(results.tests.map((t) => [t.key, t]));
  const f = results.summary.findings;
  const allPassed = f.failed === 0 && results.summary.tests.failed === 0 && results.errors.length === 0;
  const label = results.provenance.checkpoints.map((c) => c.label).join(', ') || results.provenance.checkpointOption || 'no checkpoint recorded';
  const articles: string[] = [];
  for (const [i, finding] of results.findings.entries()) articles.push(await findingArticle(finding, i, results, tests));
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Linguistic regions — ${e(label)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<header><h1>Linguistic regions report</h1><p class="subject">${e(label)}</p>`,
    `<p class="overall">${badge(allPassed)} ${e(verdictLine(findingVerdicts(results.findings)))} on ${e(label)} · ${results.summary.tests.failed} of ${results.summary.tests.total} tests failed · ${e(results.provenance.finishedAt)}</p>`,
    partialBanner(results),
    '<nav><a href="#summary">Summary</a> <a href="#findings">Findings</a> <a href="#region-layout">Region layout</a> <a href="#monolingual">Monolingual</a> <a href="#tests">Tests</a> <a href="#errors">Errors</a> <a href="#provenance">Provenance</a></nav></header>',
    '<main>',
    summarySection(results),
    `<section id="findings" data-section="findings"><h2>Findings</h2>${articles.length === 0 ? empty('No findings recorded.') : articles.join('')}</section>`,
    await layoutSection(results),
    await monolingualSection(results),
    testsSection(results),
    errorsSection(results),
    provenanceSection(results.provenance, results),
    '</main><footer>vitest-regions — the findings of Zhang et al., “Unveiling Linguistic Regions in Large Language Models” (ACL 2024), as tests.</footer>',
    '</body></html>',
    '',
  ].join('\n');
}
