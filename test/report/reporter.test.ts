/**
 * RegionsReporter with fake vitest objects (the shapes it reads of Vitest, TestProject, TestModule and
 * TestCase): what it collects from the tests, the provenance it gathers, the two files it writes (whole,
 * by rename), and where a partial run writes them.
 */
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestModule, TestSpecification, Vitest } from 'vitest/node';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { hashTextFolder } from '../../src/report/provenance.js';
import { RegionsReporter } from '../../src/report/reporter.js';
import { loadResults } from '../../src/report/results.js';
import { coreRecord } from './helpers/sample.js';

const root = mkdtempSync(join(tmpdir(), 'regions-reporter-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const texts = join(root, 'texts');
mkdirSync(texts);
writeFileSync(join(texts, 'en.txt'), 'The cat sat on the mat.\n');
writeFileSync(join(texts, 'zh.txt'), '猫坐在垫子上。\n');
writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'demo', version: '1.2.3', dependencies: { zod: '^4', absent: '1' } }));
mkdirSync(join(root, 'node_modules', 'zod'), { recursive: true });
writeFileSync(join(root, 'node_modules', 'zod', 'package.json'), JSON.stringify({ name: 'zod', version: '4.6.7' }));

function fakeTest(file: string, fullName: string, state: string, meta: object, errors: string[] = []) {
  return {
    module: { relativeModuleId: file },
    fullName,
    result: () => ({ state, errors: errors.length === 0 ? undefined : errors.map((message) => ({ message })) }),
    diagnostic: () => ({ duration: 42 }),
    meta: () => meta,
  };
}

const project = { getProvidedContext: () => ({ regions: { checkpoint: '/models/polyglot-mini', texts, trainTexts: join(root, 'missing'), backend: null, seed: 7, runs: 3 } }) };

function fakeModule(file: string, tests: unknown[], state = 'passed') {
  return { relativeModuleId: file, moduleId: join(root, file), project, state: () => state, children: { *allTests() { yield* tests; } }, errors: () => [], diagnostic: () => ({ duration: 1000 }) };
}

/** A Vitest whose one project has these test files. */
function fakeVitest(files: string[], logs: string[] = [], config: object = {}) {
  const specs = { name: 'specs', globTestFiles: async () => ({ testFiles: files.map((f) => join(root, f)), typecheckTestFiles: [] }) };
  return { config: { root, ...config }, projects: [specs], version: '4.1.12', logger: { log: (m: string) => logs.push(m) } } as unknown as Vitest;
}

describe('RegionsReporter', () => {
  test('writes results.json and index.html from the tests it is given', async () => {
    const logs: string[] = [];
    const vitest = { ...fakeVitest(['specs/a.spec.ts', 'specs/b.spec.ts'], logs), config: { root, shard: { index: 1, count: 2 }, mergeReports: undefined } };
    const record = { ...coreRecord(), subject: { ...coreRecord().subject, backend: { name: 'cpu', device: 'CPU (JS kernels)' } } };
    const modules = [
      fakeModule('specs/b.spec.ts', [fakeTest('specs/b.spec.ts', 'other > fails', 'failed', {}, ['\u001b[31mexpected\u001b[39m 1 to be 2'])]),
      fakeModule('specs/a.spec.ts', [fakeTest('specs/a.spec.ts', 'core region', 'passed', { regions: [record] })]),
    ];
    const reporter = new RegionsReporter({ outputDir: 'out', replaceWithPartial: true });
    reporter.onInit(vitest as unknown as Vitest);
    reporter.onTestRunStart();
    await reporter.onTestRunEnd(modules as unknown as TestModule[], [{ message: 'unhandled \u001b[1mrejection\u001b[22m' }], 'failed');

    const results = loadResults(join(root, 'out', 'results.json'));
    expect(results).toEqual(reporter.results);
    expect(results.tests.map((t) => `${t.file} ${t.state} ${t.durationMs} ${t.errors.join()}`)).toEqual([
      'specs/a.spec.ts passed 42 ',
      'specs/b.spec.ts failed 42 expected 1 to be 2',
    ]);
    expect(results.findings.map((f) => f.key)).toEqual(['specs/a.spec.ts › core region › toLoseCompetenceWhenZeroed']);
    expect(results.errors).toEqual(['unhandled rejection']);
    const p = results.provenance;
    expect(p.checkpoints).toEqual([{ dir: '/models/polyglot-mini', hash: record.subject.hash, label: record.subject.label }]);
    expect(p.checkpointOption).toBe('/models/polyglot-mini');
    expect(p.corpus).toEqual({ texts: hashTextFolder(texts), trainTexts: null });
    expect(p.corpus.texts).toMatchObject({ files: 2, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(p.backend).toEqual({ name: 'cpu', device: 'CPU (JS kernels)', source: 'measured' });
    expect(p.seeds).toEqual({ seed: 7, runs: 3 });
    expect(p.vitest).toEqual({ version: '4.1.12', merged: false, shard: '1/2' });
    expect(p.testTimeMs).toBe(2000);
    expect(p.wallTimeMs).toBeGreaterThanOrEqual(0);
    expect(p.project).toBe('demo@1.2.3');
    expect(p.packages).toEqual({ absent: null, zod: '4.6.7' }); // installed versions of what package.json declares
    expect(p.node).toBe(process.version);

    const html = readFileSync(join(root, 'out', 'index.html'), 'utf8');
    expect(html).toContain('id="finding-1" data-finding="coreRegion" data-passed="true"');
    // One shard of two is a partial run: written beside results.json unless asked (see below); here asked.
    expect(results.run).toEqual({ complete: false, interrupted: false, reasons: ['1 unhandled error (a crashed worker loses the results of its file)', expect.stringMatching(/^shard 1\/2 only/)] });
    expect(logs[0]).toMatch(/regions report: .*out\/index\.html \(1 of 1 findings as expected — 1 holds, 0 do not hold\)$/);
  });

  test('writes nothing for a run without region assertions or the regions plugin (unit tests)', async () => {
    const vitest = fakeVitest([]);
    // Only a project without the plugin ran (as `vitest run test` runs the unit project only).
    const unit = { ...fakeModule('test/x.test.ts', [fakeTest('test/x.test.ts', 'x', 'passed', {})]), project: { getProvidedContext: () => ({}) } };
    const reporter = new RegionsReporter({ outputDir: 'unit-run' });
    reporter.onInit(vitest);
    await reporter.onTestRunEnd([unit] as unknown as TestModule[], [], 'passed');
    expect(existsSync(join(root, 'unit-run'))).toBe(false);
  });

  test('needs onInit first', async () => {
    await expect(new RegionsReporter().onTestRunEnd([], [], 'passed')).rejects.toThrow(/register it in `test.reporters`/);
    expect(existsSync(join(root, 'reports'))).toBe(false);
  });
});

describe('RegionsReporter on a partial run', () => {
  const FILES = ['specs/a.spec.ts', 'specs/b.spec.ts'];
  const record = coreRecord();
  const a = (state = 'passed') => fakeModule('specs/a.spec.ts', [fakeTest('specs/a.spec.ts', 'core region', state, { regions: [record] })]);
  const b = (state = 'passed') => fakeModule('specs/b.spec.ts', [fakeTest('specs/b.spec.ts', 'other', state, {})], state);
  afterEach(() => void vi.unstubAllEnvs());

  /** Runs a reporter writing to `dir`; returns its log lines. */
  async function run(dir: string, modules: unknown[], options: { reason?: 'passed' | 'interrupted'; config?: object; specs?: unknown[]; replace?: boolean } = {}) {
    const logs: string[] = [];
    const reporter = new RegionsReporter({ outputDir: dir, replaceWithPartial: options.replace });
    reporter.onInit(fakeVitest(FILES, logs, options.config));
    reporter.onTestRunStart((options.specs ?? []) as TestSpecification[]);
    await reporter.onTestRunEnd(modules as TestModule[], [], options.reason ?? 'passed');
    return logs;
  }
  const read = (dir: string, file: string) => readFileSync(join(root, dir, file), 'utf8');

  test('a complete run says so, and writes results.json and index.html', async () => {
    await run('complete', [a(), b()]);
    expect(loadResults(join(root, 'complete', 'results.json')).run).toEqual({ complete: true, interrupted: false, reasons: [] });
    expect(readdirSync(join(root, 'complete')).sort()).toEqual(['index.html', 'results.json']); // no temporary file left behind
  });

  test('a -t filter: written beside the last complete report, which stays as it was, and said so', async () => {
    await run('filtered', [a(), b()]);
    const complete = { json: read('filtered', 'results.json'), html: read('filtered', 'index.html') };
    const logs = await run('filtered', [a(), b('skipped')], { config: { testNamePattern: /core/ } });
    expect({ json: read('filtered', 'results.json'), html: read('filtered', 'index.html') }).toEqual(complete);
    const partial = loadResults(join(root, 'filtered', 'results.partial.json'));
    expect(partial.run).toEqual({ complete: false, interrupted: false, reasons: ['1 test skipped by -t "core"'] });
    expect(read('filtered', 'index.partial.html')).toContain('Partial run');
    expect(logs[0]).toMatch(/filtered\/index\.partial\.html \(1 of 1 findings as expected — 1 holds, 0 do not hold\)$/);
    expect(logs[1]).toMatch(/a partial run — 1 test skipped by -t "core"\. .*filtered\/results\.json is left as it was \(set REGIONS_REPLACE_WITH_PARTIAL=1/);
  });

  test('one spec file of two, or a line filter: partial', async () => {
    await run('one-file', [a()]);
    expect(loadResults(join(root, 'one-file', 'results.partial.json')).run?.reasons).toEqual(['1 of 2 test files did not run: specs/b.spec.ts']);
    expect(existsSync(join(root, 'one-file', 'results.json'))).toBe(false);
    const specs = [{ moduleId: join(root, 'specs/b.spec.ts'), testLines: [12] }];
    await run('one-line', [a(), b('skipped')], { specs });
    expect(loadResults(join(root, 'one-line', 'results.partial.json')).run?.reasons).toEqual(['1 test skipped by specs/b.spec.ts:12']);
  });

  test('an interrupted run: partial, with what did not finish', async () => {
    await run('interrupted', [a('pending'), fakeModule('specs/b.spec.ts', [], 'queued')], { reason: 'interrupted' });
    expect(loadResults(join(root, 'interrupted', 'results.partial.json')).run).toEqual({
      complete: false,
      interrupted: true,
      reasons: ['the run was interrupted (Ctrl-C, --bail or a cancelled run)', '1 of 2 test files did not run: specs/b.spec.ts', '1 test did not finish'],
    });
  });

  test('asked to (option or REGIONS_REPLACE_WITH_PARTIAL=1), a partial run replaces results.json', async () => {
    await run('asked', [a(), b()]);
    await run('asked', [a()], { replace: true });
    expect(loadResults(join(root, 'asked', 'results.json')).run?.complete).toBe(false);
    await run('asked', [a(), b()]);
    vi.stubEnv('REGIONS_REPLACE_WITH_PARTIAL', '1');
    const logs = await run('asked', [a()]);
    expect(loadResults(join(root, 'asked', 'results.json')).run?.complete).toBe(false);
    expect(existsSync(join(root, 'asked', 'results.partial.json'))).toBe(false);
    expect(logs[1]).toMatch(/It replaced .*asked\/results\.json as asked; it is no baseline for `regions compare`\.$/);
  });

  test('replaces results.json and index.html by renaming a whole new file over them, never rewriting them in place', async () => {
    await run('atomic', [a(), b()]);
    // A hard link keeps the old file's content reachable: rewritten in place, it would change too.
    for (const name of ['results.json', 'index.html']) linkSync(join(root, 'atomic', name), join(root, 'atomic', `old-${name}`));
    const before = { json: read('atomic', 'results.json'), html: read('atomic', 'index.html') };
    await run('atomic', [a('failed'), b()]);
    expect({ json: read('atomic', 'old-results.json'), html: read('atomic', 'old-index.html') }).toEqual(before);
    expect(loadResults(join(root, 'atomic', 'results.json')).summary.tests.failed).toBe(1);
    expect(readdirSync(join(root, 'atomic')).sort()).toEqual(['index.html', 'old-index.html', 'old-results.json', 'results.json']);
  });
});
