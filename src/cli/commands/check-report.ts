import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { defineCommand, option, optional, UsageError, withDefault } from '../args.js';

const options = {
  html: withDefault(option.output('FILE', 'the report to check (written first from --results when given)'), 'reports/index.html'),
  results: optional(option.path('file', 'results.json to render into --html before checking'), 'check --html as it is'),
  screenshot: optional(option.output('FILE', 'where the full-page screenshot goes'), 'screenshot.png beside --html'),
  chromium: withDefault(option.output('FILE', 'the Chromium executable'), '/usr/bin/chromium'),
  json: option.flag('print the check as JSON'),
};

/** `regions check-report`: the HTML report opened in headless Chromium, checked to render (CI runs it on every report). */
export const checkReportCommand = defineCommand({
  name: 'check-report',
  summary: 'open the HTML report in headless Chromium and check that it renders',
  description:
    'Opens the report (--html; rendered first from --results when given) in headless Chromium and fails (exit 1) on a ' +
    'console or page error, any network request (the report must be self-contained), a chart whose SVG is missing, ' +
    'empty or invisible, or a blank full-page screenshot (saved to --screenshot). Needs Chromium (Debian: apt-get ' +
    'install chromium) and the playwright-core package (npm install --save-dev playwright-core), which vitest-regions ' +
    'does not install itself.',
  options,
  async run(values, io) {
    const html = resolve(values.html);
    const screenshot = resolve(values.screenshot ?? join(dirname(html), 'screenshot.png'));
    if (values.results !== undefined) {
      const [{ renderReport }, { loadResults }] = await Promise.all([import('../../report/html.js'), import('../../report/results.js')]);
      mkdirSync(dirname(html), { recursive: true });
      writeFileSync(html, await renderReport(loadResults(resolve(values.results))));
    } else if (!existsSync(html)) throw new UsageError(`--html ${values.html}: no such report (run the specs first, or render one with --results reports/results.json)`);
    const { checkReport } = await import('../../report/check.js');
    const check = await checkReport(html, { screenshot, chromium: values.chromium });
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ html, ...check }, null, 2)}\n`);
    } else {
      io.stdout.write(
        `${html}: ${check.charts.length} charts (${check.charts.map((c) => `${c.kind} ${Math.round(c.width)}×${Math.round(c.height)}`).join(', ')})\n` +
          `screenshot ${check.screenshot.file}: ${check.screenshot.width}×${check.screenshot.height}, luminance variance ${check.screenshot.luminanceVariance.toFixed(0)}\n` +
          check.problems.map((p) => `✗ ${p}\n`).join('') +
          (check.problems.length === 0 ? 'report OK\n' : ''),
      );
    }
    if (check.problems.length > 0) throw new Error(`${values.html}: the report has ${check.problems.length} problem${check.problems.length === 1 ? '' : 's'}`);
  },
});
