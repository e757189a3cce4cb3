/**
 * The RegionsReporter in real vitest runs of the fixture project (fixtures/shard-project): a run of one
 * spec file and a `-t` run are partial — written beside the complete report, which stays as it was.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadResults } from '../../src/report/results.js';
import { vitestOnFixture } from './helpers/fixture-project.js';

const out = mkdtempSync(join(tmpdir(), 'regions-partial-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('a partial vitest run', () => {
  test('one spec file, then a -t filter: each written beside the complete report, which stays as it was', { timeout: 120_000 }, async () => {
    await vitestOnFixture(['run'], out);
    const complete = readFileSync(join(out, 'results.json'), 'utf8');
    expect(loadResults(join(out, 'results.json')).run).toEqual({ complete: true, interrupted: false, reasons: [] });

    const one = await vitestOnFixture(['run', 'specs/a.spec.ts'], out);
    expect(one.stdout).toMatch(/regions report: a partial run — 1 of 2 test files did not run: specs\/b\.spec\.ts\. .*results\.json is left as it was/);
    expect(loadResults(join(out, 'results.partial.json')).run?.reasons).toEqual(['1 of 2 test files did not run: specs/b.spec.ts']);

    await vitestOnFixture(['run', '-t', 'monolingual'], out);
    const filtered = loadResults(join(out, 'results.partial.json'));
    expect(filtered.run?.reasons).toEqual(['4 tests skipped by -t "monolingual"']);
    expect(filtered.findings.map((f) => f.key)).toEqual(['specs/b.spec.ts › monolingual ar › toHaveMonolingualRegion']);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(complete);
  });
});
