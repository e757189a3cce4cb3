/**
 * renderReport on the hand-made run of helpers/sample.ts: the page's structure (sections, one article per
 * finding), escaping of everything that comes from results (a language named `<script>alert(1)</script>`,
 * test names, error messages — in HTML and inside the SVG charts), and charts that are SVG with marks.
 */
import { describe, expect, test } from 'vitest';
import { renderReport } from '../../src/report/html.js';
import { findingVerdicts, parseResults, RESULTS_SCHEMA, verdictLine, type FindingEntry, type Results } from '../../src/report/results.js';
import { EVIL, SAMPLE_PROVENANCE, sampleResults } from './helpers/sample.js';

const results = sampleResults();
const html = await renderReport(results);

/** The inner HTML of each `<figure class="chart" data-chart="kind">`, in order. */
function figures(page: string): { kind: string; svg: string }[] {
  return [...page.matchAll(/<figure class="chart" data-chart="([\w-]+)">([\s\S]*?)<\/figure>/g)].map((m) => ({ kind: m[1]!, svg: m[2]! }));
}

const count = (text: string, needle: string | RegExp) => text.split(needle).length - 1;

describe('renderReport', () => {
  test('is a complete document with every section, in order', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    const sections = [...html.matchAll(/<section id="([\w-]+)" data-section="\1">/g)].map((m) => m[1]);
    expect(sections).toEqual(['summary', 'findings', 'region-layout', 'monolingual', 'tests', 'errors', 'provenance']);
    expect(html).toContain('<title>Linguistic regions — polyglot-mini (sha256 1a2b3c4d5e6f)</title>');
  });

  test('has one article per finding, with its verdict, numbers against thresholds, seeds and provenance', () => {
    const articles = [...html.matchAll(/<article class="finding (pass|fail)" id="finding-(\d+)" data-finding="(\w+)" data-passed="(true|false)">/g)];
    expect(articles.map((m) => `${m[2]} ${m[3]} ${m[1]}`)).toEqual(['1 coreRegion pass', '2 dimensionSensitivity pass', '3 frozenPretrain pass', '4 monolingual fail']);
    const monolingual = html.slice(html.indexOf('id="finding-4"'), html.indexOf('</article>', html.indexOf('id="finding-4"')));
    expect(monolingual).toContain('1 of 2 assertions passed; showing the last that failed');
    expect(monolingual).toContain('✗ selectivity ln(×1.90) / ln(×1.40 median of 3 other languages) = 1.91 (&lt; 3)');
    expect(monolingual).toContain('<table class="runs">');
    expect(monolingual).toContain('<code>minSelectivity</code> = <code>3</code>');
    const core = html.slice(html.indexOf('id="finding-1"'), html.indexOf('</article>', html.indexOf('id="finding-1"')));
    expect(core).toContain('<caption>region: zero the top region</caption>');
    expect(core).toContain('<td class="num">×310</td><td class="num">×279–×341</td><td class="num">≥ ×10.0</td><td class="ok">✓</td>');
    expect(core).toContain('<code>control</code> = <code>0</code>'); // seeds
    expect(core).toMatch(/<details class="provenance"><summary>Provenance<\/summary>.*sha256 <code>1a2b3c4d5e6f708192a3/);
    // "As expected" kept apart from "holds": a finding the thresholds expect not to hold passes when it does not.
    expect(html).toContain('<span class="badge fail">FAIL</span> 3 of 4 findings as expected — 3 hold, 0 do not hold, 1 holds in part on polyglot-mini (sha256 1a2b3c4d5e6f) · 2 of 5 tests failed');
  });

  test('escapes text from results everywhere, SVG included', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img');
    expect(count(html, EVIL)).toBe(0);
    expect(html).toContain('<td class="text">&lt;script&gt;alert(1)&lt;/script&gt;</td>'); // a table cell
    expect(html).toContain('broken &lt;script&gt;alert(1)&lt;/script&gt;'); // a test name
    expect(html).toContain('Expected: &lt;img src=x onerror=alert(1)&gt;'); // an error message
    expect(html).toContain('<pre>unhandled: &lt;script&gt;alert(1)&lt;/script&gt;</pre>');
    const bars = figures(html).find((f) => f.kind === 'perplexity')!;
    expect(bars.svg).toContain('&lt;script&gt;alert(1)'); // vega's axis label, escaped (and maybe shortened)
    expect(bars.svg).not.toContain('<script');
  });

  test('draws each chart as an SVG with marks', () => {
    const charts = figures(html);
    expect(charts.map((c) => c.kind)).toEqual(['perplexity', 'sensitivity', 'forgetting', 'layout', 'monolingual']);
    for (const c of charts) expect(c.svg).toMatch(/^<svg [^>]*width="\d+" height="\d+"/);
    const by = Object.fromEntries(charts.map((c) => [c.kind, c.svg]));
    expect(count(by.perplexity!, 'aria-roledescription="bar"')).toBe(8 * 3); // 8 languages × baseline, core, random
    expect(count(by.sensitivity!, 'aria-roledescription="point"')).toBe(2 * 8 + 3 * 8); // 2 dims under test, 3 control dims
    expect(count(by.forgetting!, 'aria-roledescription="line mark"')).toBe(4); // 2 languages × 2 runs
    expect(count(by.monolingual!, 'aria-roledescription="rect mark"')).toBe(2 * 4); // ar, zh removed × 4 measured
    expect(count(by.layout!, /<path d="M[^"]*" fill="rgb/g)).toBeGreaterThan(36 * 10); // 36 weights' rows of cells
  });

  test('keeps every section, saying so, when nothing was recorded', async () => {
    const nothing: Results = {
      schema: RESULTS_SCHEMA,
      provenance: { ...SAMPLE_PROVENANCE, checkpoints: [] },
      summary: { reason: 'passed', tests: { total: 0, passed: 0, failed: 0, skipped: 0 }, findings: { total: 0, passed: 0, failed: 0 }, assertions: { total: 0, passed: 0, failed: 0 } },
      perplexity: {},
      perplexityCi95: {},
      tests: [],
      findings: [],
      regionData: {},
      errors: [],
    };
    const page = await renderReport(nothing);
    expect(count(page, 'data-section=')).toBe(7);
    expect(page).toContain('No region assertions were recorded in this run.');
    expect(page).toContain('No region layout was recorded.');
    expect(figures(page)).toEqual([]);
  });

  test('renders from results.json as written (a JSON round trip validates)', () => {
    expect(parseResults(JSON.parse(JSON.stringify(results)))).toEqual(results);
  });
});

describe('verdictLine', () => {
  const finding = (passed: boolean, holds: boolean[]) => ({ passed, assertions: holds.map((h) => ({ holds: h })) }) as unknown as FindingEntry;
  test('keeps "as expected" apart from "holds": the fixture\'s seven findings, six expected not to hold', () => {
    const findings = [finding(true, [true]), ...Array.from({ length: 6 }, () => finding(true, [false]))];
    expect(verdictLine(findingVerdicts(findings))).toBe('7 of 7 findings as expected — 1 holds, 6 do not hold');
  });
  test('counts a finding held by some of its assertions as held in part', () => {
    expect(verdictLine(findingVerdicts([finding(false, [true, false]), finding(false, [false])]))).toBe('0 of 2 findings as expected — 0 hold, 1 does not hold, 1 holds in part');
  });
});
