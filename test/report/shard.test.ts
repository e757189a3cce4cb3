/**
 * The sharding check: the fixture project (fixtures/shard-project: two spec files whose tests leave
 * matcher-like records in task.meta.regions) run as one, and as two shards with the blob reporter merged
 * by `vitest --merge-reports` — the RegionsReporter must write the same results.json either way, up to
 * provenance and test durations.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadResults, type Results } from '../../src/report/results.js';
import { vitestOnFixture } from './helpers/fixture-project.js';

const out = mkdtempSync(join(tmpdir(), 'regions-shard-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs vitest on the fixture project; returns its exit code (the project has one failing test on purpose). */
async function vitest(args: string[], reportDir?: string): Promise<number> {
  return (await vitestOnFixture(args, reportDir ?? join(out, 'unused'))).code;
}

/** The results without what legitimately differs between runs: provenance and durations. */
function comparable(r: Results) {
  return { ...r, provenance: null, tests: r.tests.map((t) => ({ ...t, durationMs: null })) };
}

describe('sharded runs merged with --merge-reports', () => {
  test('write the same results.json as a single run', { timeout: 120_000 }, async () => {
    expect(await vitest(['run'], join(out, 'single'))).toBe(1);
    const blobs = join(out, 'blobs');
    await vitest(['run', '--shard=1/2', '--reporter=blob', `--outputFile=${join(blobs, 'blob-1.json')}`]);
    await vitest(['run', '--shard=2/2', '--reporter=blob', `--outputFile=${join(blobs, 'blob-2.json')}`]);
    expect(await vitest(['--merge-reports', blobs], join(out, 'merged'))).toBe(1);

    const single = loadResults(join(out, 'single', 'results.json'));
    const merged = loadResults(join(out, 'merged', 'results.json'));
    expect(comparable(merged)).toEqual(comparable(single));
    expect(single.provenance.vitest.merged).toBe(false);
    expect(merged.provenance.vitest.merged).toBe(true);
    expect(merged.provenance.wallTimeMs).toBeNull();

    // What the merge has to carry over: every test of both files, the records, a failure's message.
    expect(merged.tests.map((t) => `${t.state} ${t.key} (${t.assertions})`)).toEqual([
      'passed specs/a.spec.ts › core region > explodes every language (1)',
      'passed specs/a.spec.ts › core region > a control that does not (1)',
      'passed specs/b.spec.ts › monolingual ar (2)',
      'failed specs/b.spec.ts › a finding that no longer holds (1)',
      'passed specs/b.spec.ts › no region assertion here (0)',
    ]);
    expect(merged.findings.map((f) => `${f.passed ? 'pass' : 'FAIL'} ${f.key} (${f.assertions.length})`)).toEqual([
      'pass specs/a.spec.ts › core region > explodes every language › toLoseCompetenceWhenZeroed (1)',
      'pass specs/a.spec.ts › core region > a control that does not › toLoseCompetenceWhenZeroed (1)',
      'pass specs/b.spec.ts › monolingual ar › toHaveMonolingualRegion (2)',
      'FAIL specs/b.spec.ts › a finding that no longer holds › toBeDimensionSensitive (1)',
    ]);
    expect(merged.tests[3]!.errors[0]).toContain('the finding did not hold');
  });
});
