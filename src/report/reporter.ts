/**
 * The vitest reporter of vitest-regions: when a run ends, it writes `<outputDir>/results.json` (what each
 * region assertion measured, vitest's verdicts, the run's provenance; see ./results.ts) and renders
 * `<outputDir>/index.html` from it. Register it next to vitest's own reporter:
 *
 *     import { RegionsReporter } from 'vitest-regions/report/reporter';
 *     export default defineConfig({ test: { reporters: ['default', new RegionsReporter({ outputDir: 'reports' })] } });
 *
 * or by path (`--reporter=./node_modules/vitest-regions/dist/report/reporter.js`; the default export).
 * It works the same on a merge of sharded runs (`vitest --merge-reports`): the measurements travel in
 * `task.meta`, which the blob reporter keeps.
 *
 * A run that made no region assertion and ran no project with the regions plugin (say, a project's unit
 * tests) writes nothing, so it cannot overwrite the report of the last spec run. A partial run (one spec
 * file, a `-t` filter, a shard, an interrupted run or one with unhandled errors; see ./completeness.ts)
 * says so in `run` and is written beside the last complete report, as `results.partial.json` and
 * `index.partial.html`, unless asked to replace it (`replaceWithPartial`, or
 * `REGIONS_REPLACE_WITH_PARTIAL=1`). Each file is written to a temporary file and renamed into place, so
 * a run killed while writing leaves the old file whole. The charts library is loaded only when a report
 * is written: vitest.config.ts stays quick to load.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { SerializedError } from 'vitest';
import { REPORTER_BRAND } from '../util/reporter-ref.js';
import type { Reporter, TestCase, TestModule, TestRunEndReason, TestSpecification, Vitest } from 'vitest/node';
import { buildResults, measuredBackend, type CollectedTest } from './collect.js';
import { judgeRun } from './completeness.js';
import { writeFileAtomic } from './internals/atomic-write.js';
import { runScope, testFilters } from './internals/run-scope.js';
import { gatherProvenance, type OptionsSeen } from './provenance.js';
import { findingVerdicts, verdictLine, type Results } from './results.js';

/** Options of {@link RegionsReporter}. */
export interface RegionsReporterOptions {
  /** Folder for results.json and index.html, relative to the vitest root (default `reports`). */
  outputDir?: string;
  /**
   * Only report the test files of these vitest projects (default: every project). The repository's own
   * config names `specs`, so the matchers' unit tests on synthetic instruments never overwrite the report.
   */
  projects?: string[];
  /**
   * Let a partial run replace results.json and index.html (default: `REGIONS_REPLACE_WITH_PARTIAL=1`;
   * otherwise it is written beside them, as results.partial.json and index.partial.html).
   */
  replaceWithPartial?: boolean;
}

/** The file names of a complete report, and of a partial one written beside it. */
export const REPORT_FILES = {
  complete: { json: 'results.json', html: 'index.html' },
  partial: { json: 'results.partial.json', html: 'index.partial.html' },
} as const;

/** Error messages can be long (a matcher's message carries its tables); keep results.json readable. */
const MAX_MESSAGE = 20_000;

function message(err: { message?: unknown; name?: unknown }): string {
  const text = stripVTControlCharacters(String(err.message ?? err.name ?? 'unknown error'));
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}… (${text.length - MAX_MESSAGE} more characters)` : text;
}

const posix = (path: string) => path.split(sep).join('/');

/** A vitest TestCase reduced to what results.json needs. */
export function collectTest(test: TestCase): CollectedTest {
  const result = test.result();
  return {
    file: posix(test.module.relativeModuleId),
    name: test.fullName,
    state: result.state,
    durationMs: test.diagnostic()?.duration ?? null,
    errors: (result.errors ?? []).map(message),
    meta: test.meta(),
  };
}

/** Writes results.json and index.html when a vitest run ends (see the file comment). */
export class RegionsReporter implements Reporter {
  /** Marks an instance across copies of the module (the plugin adds one unless the config has one). */
  readonly [REPORTER_BRAND] = true;
  readonly outputDir: string;
  readonly #projects: string[] | undefined;
  readonly #replaceWithPartial: boolean | undefined;
  #vitest: Vitest | undefined;
  #startedAt: Date | null = null;
  #filters: string[] = [];
  /** The last results written (for tests and for whoever embeds the reporter). */
  results: Results | undefined;

  constructor(options: RegionsReporterOptions = {}) {
    this.outputDir = options.outputDir ?? 'reports';
    this.#projects = options.projects;
    this.#replaceWithPartial = options.replaceWithPartial;
  }

  onInit(vitest: Vitest): void {
    this.#vitest = vitest;
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification> = []): void {
    this.#startedAt = new Date();
    this.#filters = this.#vitest === undefined ? [] : testFilters(this.#vitest, specifications);
  }

  async onTestRunEnd(allModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): Promise<void> {
    const only = this.#projects;
    const testModules = only === undefined ? allModules : allModules.filter((m) => only.includes(m.project.name));
    const vitest = this.#vitest;
    if (vitest === undefined) throw new Error('RegionsReporter: onTestRunEnd before onInit (register it in `test.reporters`)');
    const root = vitest.config.root;
    const options = providedOptions(testModules);
    const tests = testModules.flatMap((m) => [...m.children.allTests()].map(collectTest));
    const moduleErrors = testModules.flatMap((m) => m.errors().map((err) => `${posix(m.relativeModuleId)}: ${message(err)}`));
    const shard = vitest.config.shard;
    const merged = Boolean(vitest.config.mergeReports);
    const projects = only === undefined ? vitest.projects : vitest.projects.filter((p) => only.includes(p.name));
    const scope = await runScope({ vitest, projects, modules: testModules, unhandledErrors: unhandledErrors.length, reason, filters: this.#filters });
    const run = judgeRun(scope);
    const results = buildResults({
      tests,
      errors: [...moduleErrors, ...unhandledErrors.map(message)],
      reason,
      run,
      provenance: (findings) =>
        gatherProvenance({
          root,
          options,
          // A merge's own start says nothing about how long the shards ran.
          startedAt: merged ? null : this.#startedAt,
          finishedAt: new Date(),
          testTimeMs: testModules.reduce((sum, m) => sum + m.diagnostic().duration, 0),
          vitestVersion: vitest.version,
          merged,
          shard: shard === undefined ? null : `${shard.index}/${shard.count}`,
          backend: measuredBackend(tests),
          findings,
        }),
    });
    if (results.findings.length === 0 && options === undefined) return;
    this.results = results;
    const dir = resolve(root, this.outputDir);
    const replace = run.complete || (this.#replaceWithPartial ?? process.env.REGIONS_REPLACE_WITH_PARTIAL === '1');
    const names = replace ? REPORT_FILES.complete : REPORT_FILES.partial;
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(resolve(dir, names.json), `${JSON.stringify(results, null, 2)}\n`);
    const html = resolve(dir, names.html);
    const { renderReport } = await import('./html.js');
    writeFileAtomic(html, await renderReport(results));
    const shown = (file: string) => posix(relative(process.cwd(), file));
    vitest.logger.log(`  regions report: ${shown(html)} (${verdictLine(findingVerdicts(results.findings))})`);
    if (run.complete) return;
    const kept = resolve(dir, REPORT_FILES.complete.json);
    vitest.logger.log(
      `  regions report: a partial run — ${run.reasons.join('; ')}. ` +
        (replace
          ? `It replaced ${shown(kept)} as asked; it is no baseline for \`regions compare\`.`
          : `${existsSync(kept) ? `${shown(kept)} is left as it was` : `There is no ${shown(kept)} yet`} ` +
            '(set REGIONS_REPLACE_WITH_PARTIAL=1 to have a partial run replace it).'),
    );
  }
}

/**
 * The plugin's resolved options (`provide.regions`) from the first project that ran a test module and has
 * them (with `test.projects`, the plugin usually sits on the specs' project only, so a run of the other
 * projects has none).
 */
function providedOptions(modules: ReadonlyArray<TestModule>): OptionsSeen | undefined {
  for (const project of new Set(modules.map((m) => m.project))) {
    let provided: unknown;
    try {
      provided = (project.getProvidedContext() as unknown as Record<string, unknown>).regions;
    } catch {
      continue;
    }
    if (typeof provided === 'object' && provided !== null) return provided as OptionsSeen;
  }
  return undefined;
}

// vitest loads a reporter given by path (`--reporter=./…/reporter.js`) from its default export.
export default RegionsReporter;
