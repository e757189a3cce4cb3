/**
 * The vitest plugin (import it in vitest.config.ts; it does not import vitest's runtime):
 *
 *     import { regions } from 'vitest-regions/vitest/plugin';
 *     export default defineConfig({ plugins: [regions({ checkpoint: 'fixtures/models/polyglot-v2' })] });
 *
 * It checks the options (a mistake names the option), and through Vite's `config` hook adds the setup
 * file that registers the region matchers (`test.setupFiles`) and hands the resolved options to every
 * test worker (`test.provide.regions`, read by the `regions` fixture or `inject('regions')`). The
 * environment (REGIONS_CHECKPOINT, REGIONS_BACKEND, REGIONS_RUNS, REGIONS_SEED) overrides the options,
 * so CI runs the same specs on another checkpoint without editing the config.
 *
 * It adds the report (RegionsReporter: `reports/results.json` and `reports/index.html`) beside vitest's default
 * reporter, unless the config already has one or says `report: false`; `report: { outputDir }` moves it. A
 * reporter given on the command line (`--reporter=blob` for a shard) still replaces the configured ones.
 *
 * On a GPU engine the specs of the checkpoint run in one worker, one file after another, without isolation
 * between files, so the worker-scoped `subject` is opened once and its model is on the device once (each
 * worker would otherwise hold the weights, and run its sessions beside the others'). It says so on stderr.
 */
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vitest/config';
import { resolveEngineName, runsOnGpu } from '../engine/select.js';
import { isRegionsReporter, REPORTER_FILE } from '../util/reporter-ref.js';
import { parseRegionsOptions, REGIONS_PROVIDE_KEY, RegionsOptionsError, resolveRegionsOptions, type RegionsOptions, type ResolvedRegionsOptions } from '../subject/options.js';
import './vitest-types.js';

/** The setup file: the .ts source when running from source (tests, this repo), the .js build otherwise. */
export const SETUP_FILE = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './setup.ts' : './setup.js', import.meta.url));

/** Fills the disk cache once before the workers start (baseline, importance): see global-setup.ts. */
export const GLOBAL_SETUP_FILE = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './global-setup.ts' : './global-setup.js', import.meta.url),
);

/**
 * The vitest-regions plugin.
 * @throws RegionsOptionsError at once for options of the wrong shape, and from the `config` hook for an
 *   environment override that is not valid or a `thresholds` file that does not exist.
 */
export function regions(options: RegionsPluginOptions): Plugin {
  const { report, ...subject } = options ?? ({} as RegionsPluginOptions);
  parseRegionsOptions(options === undefined ? options : subject); // fail in vitest.config.ts itself, with the option named
  const reportOptions = parseReportOption(report);
  return {
    name: 'vitest-regions',
    config(config) {
      const resolved = resolveRegionsOptions(subject, { root: config.root ?? process.cwd() });
      return {
        test: {
          setupFiles: [SETUP_FILE],
          globalSetup: [GLOBAL_SETUP_FILE],
          provide: { [REGIONS_PROVIDE_KEY]: resolved },
          ...oneDevice(resolved),
          ...withReport(config.test?.reporters, reportOptions),
        },
      };
    },
    // In a `projects` config vitest reads reporters from the root config only, so what the config hook added to
    // a project is ignored: add the report to the root's (resolved, not yet created) reporters instead, for this
    // project's files. A reporter the root config already has, or a blob run (a shard), is left as it is.
    configureVitest({ project, vitest }) {
      // A config without `projects` is its own root: the config hook's reporters stand (or the command line's).
      const declaresProjects = ((vitest.config as { projects?: unknown[] }).projects ?? []).length > 0;
      if (reportOptions === false || !declaresProjects) return;
      addProjectReport(vitest.config.reporters as unknown[], project.name, reportOptions.outputDir);
    },
  };
}

/**
 * Adds the report for `projectName` to a root config's resolved reporters: a new `[file, { outputDir, projects }]`
 * entry, or this project added to the one another project added; nothing where the config has a RegionsReporter of
 * its own or runs the blob reporter.
 */
export function addProjectReport(reporters: unknown[], projectName: string, outputDir: string): void {
  const name = (r: unknown) => (Array.isArray(r) ? r[0] : r);
  if (reporters.some((r) => name(r) === 'blob')) return;
  const ours = reporters.find((r): r is [string, { outputDir: string; projects?: string[] }] => Array.isArray(r) && r[0] === REPORTER_FILE);
  if (ours !== undefined) {
    if (ours[1].projects !== undefined && !ours[1].projects.includes(projectName)) ours[1].projects.push(projectName);
    return;
  }
  if (reporters.some(isRegionsReporter)) return;
  reporters.push([REPORTER_FILE, { outputDir, projects: [projectName] }]);
}

/** The plugin's options: the subject's (checkpoint, texts, …) and where the report goes. */
export type RegionsPluginOptions = RegionsOptions & {
  /** The HTML/JSON report: written to `reports/` by default; `{ outputDir }` elsewhere; false for none. */
  report?: false | { outputDir?: string };
};

function parseReportOption(report: unknown): false | { outputDir: string } {
  if (report === undefined) return { outputDir: 'reports' };
  if (report === false) return false;
  const outputDir = (report as { outputDir?: unknown } | null)?.outputDir;
  const keys = typeof report === 'object' && report !== null ? Object.keys(report) : [];
  if (typeof report !== 'object' || report === null || keys.some((k) => k !== 'outputDir') || (outputDir !== undefined && (typeof outputDir !== 'string' || outputDir === ''))) {
    throw new RegionsOptionsError('option "report"', `must be false or { outputDir: 'reports' } (got ${JSON.stringify(report)})`);
  }
  return { outputDir: (outputDir as string | undefined) ?? 'reports' };
}

/**
 * The reporters with the report added: vitest's defaults and RegionsReporter when the config names none;
 * the configured ones and RegionsReporter otherwise (Vite concatenates the plugin's list onto the config's);
 * nothing when the config has one already or the report is off.
 */
function withReport(configured: unknown, report: false | { outputDir: string }): { reporters?: ('default' | 'github-actions' | [string, { outputDir: string }])[] } {
  if (report === false) return {};
  const list = configured === undefined ? [] : Array.isArray(configured) ? configured : [configured];
  if (list.some(isRegionsReporter)) return {};
  const reporter: [string, { outputDir: string }] = [REPORTER_FILE, { outputDir: report.outputDir }];
  if (list.length > 0) return { reporters: [reporter] };
  const defaults: ('default' | 'github-actions')[] = process.env.GITHUB_ACTIONS === 'true' ? ['default', 'github-actions'] : ['default'];
  return { reporters: [...defaults, reporter] };
}

/**
 * On a GPU engine: one worker, files not isolated (so the worker-scoped subject, and the model on the device,
 * is shared by every spec file), in a group of its own (vitest runs projects of one `sequence.groupOrder`
 * with one worker count). Nothing on the CPU, where each worker's own model uses its own cores.
 */
function oneDevice(resolved: ResolvedRegionsOptions): { maxWorkers?: number; isolate?: boolean; sequence?: { groupOrder: number } } {
  const engine = resolveEngineName(resolved.backend ?? undefined);
  if (!runsOnGpu(engine)) return {};
  process.stderr.write(`vitest-regions: ${engine} runs the model on the GPU: the specs run in one worker, sharing one model on the device\n`);
  return { maxWorkers: 1, isolate: false, sequence: { groupOrder: 1 } };
}

export { resolveRegionsOptions, RegionsOptionsError, REGIONS_ENV, type RegionsOptions, type ResolvedRegionsOptions } from '../subject/options.js';
export { RegionsSequencer } from './sequencer.js';
