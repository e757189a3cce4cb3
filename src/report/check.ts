/**
 * Checks that a rendered report works in a real browser (Chromium, headless, through playwright-core — an
 * optional peer of the package): no console or page errors, no network request at all (the report must be
 * self-contained), every chart's SVG visible with a non-zero size and marks, and a full-page screenshot that
 * is not blank (its luminance varies). `regions check-report` runs it; CI runs it on every report.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Playwright from 'playwright-core';
import { describeImportFailure, importOptional } from '../util/optional-import.js';

export interface ReportCheck {
  /** What is wrong; empty when the report renders. */
  problems: string[];
  charts: { kind: string | null; width: number; height: number }[];
  screenshot: { file: string; width: number; height: number; luminanceVariance: number };
}

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

/** playwright-core, or an error saying how to install it. */
async function loadPlaywright(): Promise<typeof Playwright> {
  try {
    return (await importOptional('playwright-core')) as typeof Playwright;
  } catch (err) {
    throw new Error(describeImportFailure('playwright-core', err, 'the report check drives Chromium through it: npm install --save-dev playwright-core'));
  }
}

/**
 * Opens `html` in the Chromium at `chromium` and checks it (see the file comment), saving a full-page
 * screenshot to `screenshot`.
 * @throws Error when playwright-core is not installed or Chromium does not start.
 */
export async function checkReport(html: string, options: { screenshot: string; chromium: string }): Promise<ReportCheck> {
  const { chromium } = await loadPlaywright();
  const problems: string[] = [];
  const profile = mkdtempSync(join(tmpdir(), 'regions-chromium-'));
  let context: Playwright.BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: options.chromium,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`Chromium at ${options.chromium} did not start (Debian: apt-get install chromium; or --chromium PATH): ${(err as Error).message.split('\n')[0]}`);
  }
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

    mkdirSync(dirname(options.screenshot), { recursive: true });
    const png = await page.screenshot({ path: options.screenshot, fullPage: true });
    const stats = (await page.evaluate(`(${VARIANCE})('data:image/png;base64,${png.toString('base64')}')`)) as { width: number; height: number; variance: number };
    if (!(stats.variance > 100)) problems.push(`screenshot looks blank (luminance variance ${stats.variance.toFixed(1)})`);
    return {
      problems,
      charts: charts.map((c) => ({ kind: c.kind, width: c.width, height: c.height })),
      screenshot: { file: options.screenshot, width: stats.width, height: stats.height, luminanceVariance: stats.variance },
    };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
