/**
 * RegionsReporter with fake vitest objects (the shapes it reads of Vitest, TestModule and TestCase):
 * what it collects from the tests, the provenance it gathers, and the two files it writes.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestModule, Vitest } from 'vitest/node';
import { afterAll, describe, expect, test } from 'vitest';
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

function fakeModule(file: string, tests: unknown[]) {
  return { relativeModuleId: file, project, children: { *allTests() { yield* tests; } }, errors: () => [], diagnostic: () => ({ duration: 1000 }) };
}

describe('RegionsReporter', () => {
  test('writes results.json and index.html from the tests it is given', async () => {
    const logs: string[] = [];
    const vitest = { config: { root, shard: { index: 1, count: 2 }, mergeReports: undefined }, version: '4.1.12', logger: { log: (m: string) => logs.push(m) } };
    const record = { ...coreRecord(), subject: { ...coreRecord().subject, backend: { name: 'cpu', device: 'CPU (JS kernels)' } } };
    const modules = [
      fakeModule('specs/b.spec.ts', [fakeTest('specs/b.spec.ts', 'other > fails', 'failed', {}, ['\u001b[31mexpected\u001b[39m 1 to be 2'])]),
      fakeModule('specs/a.spec.ts', [fakeTest('specs/a.spec.ts', 'core region', 'passed', { regions: [record] })]),
    ];
    const reporter = new RegionsReporter({ outputDir: 'out' });
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
    expect(logs).toEqual([expect.stringMatching(/regions report: .*out\/index\.html \(1 of 1 findings passed\)$/)]);
  });

  test('writes nothing for a run without region assertions or the regions plugin (unit tests)', async () => {
    const vitest = { config: { root }, version: '4.1.12', logger: { log: () => {} } };
    // Only a project without the plugin ran (as `vitest run test` runs the unit project only).
    const unit = { ...fakeModule('test/x.test.ts', [fakeTest('test/x.test.ts', 'x', 'passed', {})]), project: { getProvidedContext: () => ({}) } };
    const reporter = new RegionsReporter({ outputDir: 'unit-run' });
    reporter.onInit(vitest as unknown as Vitest);
    await reporter.onTestRunEnd([unit] as unknown as TestModule[], [], 'passed');
    expect(existsSync(join(root, 'unit-run'))).toBe(false);
  });

  test('needs onInit first', async () => {
    await expect(new RegionsReporter().onTestRunEnd([], [], 'passed')).rejects.toThrow(/register it in `test.reporters`/);
    expect(existsSync(join(root, 'reports'))).toBe(false);
  });
});
