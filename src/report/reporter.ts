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
 * tests) writes nothing, so it cannot overwrite the report of the last spec run. The charts library is
 * loaded only when a report is written: vitest.config.ts stays quick to load.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { SerializedError } from 'vitest';
import type { Reporter, TestCase, TestModule, TestRunEndReason, Vitest } from 'vitest/node';
import { buildResults, measuredBackend, type CollectedTest } from './collect.js';
import { gatherProvenance, type OptionsSeen } from './provenance.js';
import type { Results } from './results.js';

/** Options of {@link RegionsReporter}. */
export interface RegionsReporterOptions {
  /** Folder for results.json and index.html, relative to the vitest root (default `reports`). */
  outputDir?: string;
  /**
   * Only report the test files of these vitest projects (default: every project). The repository's own
   * config names `specs`, so the matchers' unit tests on synthetic instruments never overwrite the report.
   */
  projects?: string[];
}

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
  readonly outputDir: string;
  readonly #projects: string[] | undefined;
  #vitest: Vitest | undefined;
  #startedAt: Date | null = null;
  /** The last results written (for tests and for whoever embeds the reporter). */
  results: Results | undefined;

  constructor(options: RegionsReporterOptions = {}) {
    this.outputDir = options.outputDir ?? 'reports';
    this.#projects = options.projects;
  }

  onInit(vitest: Vitest): void {
    this.#vitest = vitest;
  }

  onTestRunStart(): void {
    this.#startedAt = new Date();
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
    const results = buildResults({
      tests,
      errors: [...moduleErrors, ...unhandledErrors.map(message)],
      reason,
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
    mkdirSync(dir, { recursive: true });
    writeFileSync(resolve(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    const html = resolve(dir, 'index.html');
    const { renderReport } = await import('./html.js');
    writeFileSync(html, await renderReport(results));
    const f = results.summary.findings;
    vitest.logger.log(`  regions report: ${posix(relative(process.cwd(), html))} (${f.passed} of ${f.total} findings passed)`);
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
