/**
 * compareResults / `regions compare`: identical runs pass; a flipped finding, a perplexity regression
 * and a moved core region each fail, and the table names the finding, the language or the region.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compareCommand } from '../../src/cli/commands/compare.js';
import { compareResults, formatComparison } from '../../src/report/compare.js';
import type { Results } from '../../src/report/results.js';
import { sampleRegion, sampleResults } from './helpers/sample.js';

const baseline = sampleResults();
const clone = (r: Results): Results => structuredClone(r);

/** The current run: the baseline with `change` applied. */
function current(change: (r: Results) => void): Results {
  const r = clone(baseline);
  change(r);
  return r;
}

const MONOLINGUAL = 'specs/monolingual.spec.ts › monolingual regions › toHaveMonolingualRegion';

describe('compareResults', () => {
  test('identical runs: every check passes, "no regressions"', () => {
    const c = compareResults(baseline, clone(baseline));
    expect(c.ok).toBe(true);
    expect(c.checks.map((x) => x.kind)).toEqual([...Array(4).fill('finding'), ...Array(8).fill('perplexity'), 'region']);
    expect(c.checks.find((x) => x.kind === 'region')!.note).toBe('Jaccard 1.000 (identical)');
    expect(formatComparison(c)).toMatch(/\nno regressions\n$/);
  });

  test('a finding that flips either way fails, naming it', () => {
    const c = compareResults(baseline, current((r) => {
      r.findings[3]!.passed = true; // the failing monolingual finding now passes: its expectation is out of date
      r.findings[0]!.passed = false;
    }));
    expect(c.ok).toBe(false);
    expect(c.checks.filter((x) => !x.ok).map((x) => `${x.subject}: ${x.note}`)).toEqual([
      'specs/core-region.spec.ts › core region > zeroing it destroys every language › toLoseCompetenceWhenZeroed: pass → FAIL',
      `${MONOLINGUAL}: FAIL → pass`,
    ]);
    const text = formatComparison(c, { baseline: 'main.json', current: 'new.json' });
    expect(text).toContain('regions compare: new.json against main.json');
    expect(text).toMatch(/› toLoseCompetenceWhenZeroed \| +pass \| +FAIL \| same verdict \(expected to hold\) \| pass → FAIL +\| ✗/);
    expect(text).toMatch(/\n2 regressions: finding .*toLoseCompetenceWhenZeroed \(pass → FAIL\); finding .*toHaveMonolingualRegion \(FAIL → pass\)\n$/);
  });

  test('a finding the current run no longer checked fails; a new one does not', () => {
    const c = compareResults(baseline, current((r) => {
      r.findings[3]!.key = `${MONOLINGUAL} (renamed)`;
    }));
    expect(c.checks.filter((x) => x.subject.startsWith(MONOLINGUAL)).map((x) => `${x.current} ${x.ok}`)).toEqual(['missing false', 'FAIL true']);
  });

  test('perplexity rising beyond the tolerance in one language fails, naming the language', () => {
    const c = compareResults(baseline, current((r) => {
      r.perplexity.zh = r.perplexity.zh! * 1.08; // +8%
      r.perplexity.en = r.perplexity.en! * 1.04; // +4%: within 5%
      r.perplexity.ar = r.perplexity.ar! * 0.5; // better is fine
    }));
    expect(c.checks.filter((x) => !x.ok).map((x) => `${x.subject} ${x.baseline} → ${x.current} (${x.note}, ${x.bound})`)).toEqual(['zh 9.870 → 10.66 (+8%, ≤ +5%)']);
    expect(formatComparison(c)).toMatch(/\n  zh +\| +9\.870 \| +10\.66 \| ≤ \+5% \| +\+8% \| ✗\n/);
    expect(compareResults(baseline, current((r) => void (r.perplexity.zh! *= 1.08)), { pplTolerance: 0.1 }).ok).toBe(true);
  });

  test('says so, without failing, when the core region cannot be compared', () => {
    const bare = current((r) => void (r.regionData = {}));
    const c = compareResults(bare, bare);
    expect(c.ok).toBe(true);
    expect(c.checks.filter((x) => x.kind === 'region')).toEqual([]);
    expect(formatComparison(c)).toContain('\n  core region not compared: the baseline recorded no fingerprint of it');
  });

  test('a moved core region fails on its Jaccard overlap', async () => {
    const moved = sampleResults(sampleRegion({ seed: 2 })); // same hot dims, the rest elsewhere: J ≈ 0.33
    const c = compareResults(baseline, moved);
    const region = c.checks.find((x) => x.kind === 'region')!;
    expect(region).toMatchObject({ subject: 'core region, k = 1%', bound: 'Jaccard ≥ 0.5', ok: false });
    expect(region.note).toMatch(/^Jaccard 0\.3\d\d \(exact\)$/);
    expect(compareResults(baseline, moved, { minJaccard: 0.3 }).ok).toBe(true);
  });
});

describe('regions compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regions-compare-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, r: Results) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(r));
    return file;
  };
  const run = async (argv: string[]) => {
    const out = { text: '', write: (t: string) => void (out.text += t) };
    const err = { text: '', write: (t: string) => void (err.text += t) };
    let error: Error | undefined;
    try {
      await compareCommand.execute(argv, { stdout: out, stderr: err });
    } catch (e) {
      error = e as Error;
    }
    return { stdout: out.text, error };
  };

  test('prints "no regressions" and succeeds on identical runs', async () => {
    const a = write('a.json', baseline);
    const { stdout, error } = await run(['--baseline', a, '--current', a]);
    expect(error).toBeUndefined();
    expect(stdout).toMatch(/no regressions\n$/);
  });

  test('prints the table and fails on a regression (the CLI turns the error into exit code 1)', async () => {
    const a = write('a.json', baseline);
    const b = write('b.json', current((r) => void (r.perplexity.ko! *= 2)));
    const { stdout, error } = await run(['--baseline', a, '--current', b, '--ppl-tolerance', '0.5']);
    expect(stdout).toMatch(/\n  ko +\| +12\.90 \| +25\.80 \| ≤ \+50% \| +\+100% \| ✗\n/);
    expect(error?.message).toBe(`1 regression against ${a}`);
    const json = await run(['--baseline', a, '--current', b, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, regressions: 1, options: { pplTolerance: 0.05, minJaccard: 0.5 } });
  });

  test('names the file and field of a file that is not a results.json', async () => {
    const a = write('a.json', baseline);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schema: 'something else' }));
    const { error } = await run(['--baseline', a, '--current', bad]);
    expect(error?.message).toMatch(/^.*bad\.json: schema: .*expected "vitest-regions\/results@1"/);
    const usage = await run(['--baseline', a, '--current', a, '--min-jaccard', '2']);
    expect(usage.error).toMatchObject({ name: 'UsageError', message: '--min-jaccard must be at most 1 (got "2")' });
  });
});
