/**
 * `regions compare --runs`: drift over a series of runs in order — each finding's verdict and median ratio
 * (with the medians of its intervals) run by run, and the core region's Jaccard with the first and the
 * previous run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compareCommand } from '../../src/cli/commands/compare.js';
import type { Results } from '../../src/report/results.js';
import { formatSeries, seriesOf } from '../../src/report/series.js';
import { sampleRegion, sampleResults } from './helpers/sample.js';

const first = sampleResults();
const moved = sampleResults(sampleRegion({ seed: 2 })); // same hot dims, the rest elsewhere: J ≈ 0.33
const CORE = 'specs/core-region.spec.ts › core region > zeroing it destroys every language › toLoseCompetenceWhenZeroed';

describe('a series of runs', () => {
  test('per finding: verdict and median ratio with the medians of its intervals; per core region: Jaccard to the first and the previous run', () => {
    const s = seriesOf([
      { name: 'a', results: first },
      { name: 'b', results: moved },
      { name: 'c', results: moved },
    ]);
    expect(s.runs).toEqual(['a', 'b', 'c']);
    const core = s.findings.find((f) => f.key === CORE)!;
    // The sample's core ratios: 310, 1250, 880, 420, 505, 2100, 640, 95 → median 572.5; intervals ±10%.
    expect(core.points[0]).toEqual({ holds: true, medianRatio: 572.5, medianInterval: [572.5 * 0.9, 572.5 * 1.1] });
    const region = s.regions.find((r) => r.label === 'core region, k = 1%')!;
    expect(region.points[0]).toMatchObject({ toFirst: 1, toPrevious: null });
    expect(region.points[1]!.toFirst).toBeCloseTo(region.points[1]!.toPrevious!, 12);
    expect(region.points[1]!.toFirst).toBeLessThan(0.5);
    expect(region.points[2]).toMatchObject({ toPrevious: 1 });
    expect(formatSeries(s)).toMatch(/core region, k = 1% +\| +J₁ 1\.000 \| +J₁ 0\.\d{3}, J₋₁ 0\.\d{3} \| +J₁ 0\.\d{3}, J₋₁ 1\.000/);
  });

  test('a finding a run did not make is a gap, not an error', () => {
    const without: Results = { ...first, findings: first.findings.filter((f) => f.key !== CORE) };
    const s = seriesOf([
      { name: 'a', results: first },
      { name: 'b', results: without },
    ]);
    expect(s.findings.find((f) => f.key === CORE)!.points[1]).toBeNull();
  });

  test('regions compare --runs prints it; --runs with --baseline is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regions-series-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    writeFileSync(a, JSON.stringify(first));
    writeFileSync(b, JSON.stringify(moved));
    const out: string[] = [];
    const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => true } };
    await compareCommand.execute(['--runs', `${a},${b}`], io);
    expect(out.join('')).toContain('regions compare --runs: 2 runs in order');
    await expect(compareCommand.execute(['--runs', `${a},${b}`, '--baseline', a], io)).rejects.toThrow('--runs compares a series');
    await expect(compareCommand.execute(['--baseline', a], io)).rejects.toThrow('give --baseline FILE and --current FILE');
  });
});
