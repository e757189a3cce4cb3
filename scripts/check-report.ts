/**
 * Opens the HTML report in Debian's headless Chromium and checks that it renders: no console errors or
 * page errors, no network request at all (the report must be self-contained), every chart's SVG visible
 * with a non-zero size, and a full-page screenshot that is not blank (its pixels vary). Exits 1 with the
 * problems listed otherwise.
 *
 *   npx tsx scripts/check-report.ts [--html reports/index.html] [--results reports/results.json]
 *       [--screenshot reports/screenshot.png] [--chromium /usr/bin/chromium]
 *
 * With --results, the page is first rendered from that results file (into --html).
 * Needs `apt-get install -y chromium` (Debian) and the playwright-core dev dependency.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { renderReport } from '../src/report/html.js';
import { loadResults } from '../src/report/results.js';

const { values: args } = parseArgs({
  options: {
    html: { type: 'string', default: 'reports/index.html' },
    results: { type: 'string' },
    screenshot: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
const html = resolve(args.html!);
const screenshot = resolve(args.screenshot ?? join(dirname(html), 'screenshot.png'));

/** Luminance variance of an image, computed in the page on a canvas (no PNG decoder needed here). */
const VARIANCE = `async (src) => {
  const img = new Image();
  img.src = src;
  await img.decode();
  const w = Math.min(img.width, 400), h = Math.max(1, Math.round(img.height * (w / img.width)));
  const canvas = document.createElement('canvas');
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0, w, h);
  const d = ctx.getImageData(0, 0, w, h).data;
  let sum = 0, sq = 0;
  const n = d.length / 4;
  for (let i = 0; i < d.length; i += 4) { const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]; sum += y; sq += y * y; }
  const mean = sum / n;
  return { width: img.width, height: img.height, variance: sq / n - mean * mean };
}`;

async function main(): Promise<number> {
  if (args.results !== undefined) {
    mkdirSync(dirname(html), { recursive: true });
    writeFileSync(html, await renderReport(loadResults(resolve(args.results))));
  }
  const problems: string[] = [];
  const profile = mkdtempSync(join(tmpdir(), 'regions-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: args.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push(`network request: ${r.url()}`);
    });
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });

    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return { kind: f.getAttribute('data-chart'), svg: svg !== null, width: box?.width ?? 0, height: box?.height ?? 0, marks: svg?.querySelectorAll('path, rect, line, text').length ?? 0 };
      }),
    );
    if (charts.length === 0) problems.push('no charts in the page');
    for (const [i, c] of charts.entries()) {
      if (!c.svg) problems.push(`chart ${i + 1} (${c.kind}): no SVG`);
      else if (c.width <= 0 || c.height <= 0) problems.push(`chart ${i + 1} (${c.kind}): SVG has size ${c.width}×${c.height}`);
      else if (c.marks === 0) problems.push(`chart ${i + 1} (${c.kind}): SVG has no marks`);
    }
    const hidden = await page.$$eval('figure.chart svg', (svgs) => svgs.filter((s) => s.checkVisibility?.() === false).length);
    if (hidden > 0) problems.push(`${hidden} chart SVG(s) not visible`);

    mkdirSync(dirname(screenshot), { recursive: true });
    const png = await page.screenshot({ path: screenshot, fullPage: true });
    const stats = (await page.evaluate(`(${VARIANCE})('data:image/png;base64,${png.toString('base64')}')`)) as { width: number; height: number; variance: number };
    if (!(stats.variance > 100)) problems.push(`screenshot looks blank (luminance variance ${stats.variance.toFixed(1)})`);
    console.log(`${html}: ${charts.length} charts (${charts.map((c) => `${c.kind} ${Math.round(c.width)}×${Math.round(c.height)}`).join(', ')})`);
    console.log(`screenshot ${screenshot}: ${stats.width}×${stats.height}, luminance variance ${stats.variance.toFixed(0)}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  for (const p of problems) console.error(`✗ ${p}`);
  console.log(problems.length === 0 ? 'report OK' : `report has ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(2);
  },
);
