/**
 * compareResults / `regions compare`: identical runs pass; a flipped finding, a missing one, a perplexity
 * regression and a moved core region each fail, and the table names the finding, the language or the
 * region; a new finding is listed as new, not passed as equal; a partial baseline is refused.
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

  test('a new finding is listed as new and not compared — not passed as equal — in its row, the notes and the verdict line', () => {
    const c = compareResults(baseline, current((r) => void r.findings.push({ ...r.findings[0]!, key: 'specs/new.spec.ts › t › toLoseCompetenceWhenZeroed' })));
    expect(c.ok).toBe(true);
    expect(c.checks.find((x) => x.subject.startsWith('specs/new.spec.ts'))).toMatchObject({ baseline: 'missing', current: 'pass', ok: true, compared: false, note: 'new: not in the baseline' });
    const text = formatComparison(c);
    expect(text).toMatch(/specs\/new\.spec\.ts › t › toLoseCompetenceWhenZeroed +\| +missing \| +pass \| +— \| new: not in the baseline +\| –\n/);
    expect(text).toContain('\n  1 finding new in the current run, not in the baseline: listed, not compared\n');
    expect(text).toMatch(/\nno regressions \(1 new finding, not compared\)\n$/);
  });

  test('refuses a partial or interrupted baseline, saying why', () => {
    const partial = current((r) => void (r.run = { complete: false, interrupted: false, reasons: ['1 of 4 test files did not run: specs/frozen.spec.ts'] }));
    expect(() => compareResults(partial, baseline)).toThrow(/^baseline: run: a partial run \(1 of 4 test files did not run: specs\/frozen\.spec\.ts\) is no baseline/);
    // A file written before results.json recorded `run`: its summary.reason still tells an interrupted run.
    const interrupted = current((r) => void (r.summary.reason = 'interrupted'));
    expect(() => compareResults(interrupted, baseline)).toThrow(/^baseline: run: a partial run \(the run was interrupted\)/);
    expect(compareResults(current((r) => void (r.run = { complete: true, interrupted: false, reasons: [] })), baseline).ok).toBe(true);
  });

  test('a partial current run: what it did not run is missing, a regression, and the notes say the run was partial', () => {
    const c = compareResults(baseline, current((r) => {
      r.findings = r.findings.slice(0, 3);
      r.run = { complete: false, interrupted: true, reasons: ['the run was interrupted (Ctrl-C, --bail or a cancelled run)'] };
    }));
    expect(c.ok).toBe(false);
    expect(c.checks.filter((x) => !x.ok).map((x) => `${x.subject}: ${x.current}`)).toEqual([`${MONOLINGUAL}: missing`]);
    expect(formatComparison(c)).toContain('\n  the current run is partial (the run was interrupted (Ctrl-C, --bail or a cancelled run)): what it did not run is reported missing\n');
  });

  test('perplexity rising beyond the tolerance in one language fails, naming the language (runs without intervals)', () => {
    const baseline = current((r) => void (r.perplexityCi95 = {}));
    const current_ = (change: (r: Results) => void) => current((r) => { r.perplexityCi95 = {}; change(r); });
    const c = compareResults(baseline, current_((r) => {
      r.perplexity.zh = r.perplexity.zh! * 1.08; // +8%
      r.perplexity.en = r.perplexity.en! * 1.04; // +4%: within 5%
      r.perplexity.ar = r.perplexity.ar! * 0.5; // better is fine
    }));
    expect(c.checks.filter((x) => !x.ok).map((x) => `${x.subject} ${x.baseline} → ${x.current} (${x.note}, ${x.bound})`)).toEqual(['zh 9.870 → 10.66 (+8%, ≤ +5%)']);
    expect(formatComparison(c)).toMatch(/\n  zh +\| +9\.870 \| +10\.66 \| ≤ \+5% \| +\+8% \| ✗\n/);
    expect(compareResults(baseline, current_((r) => void (r.perplexity.zh! *= 1.08)), { pplTolerance: 0.1 }).ok).toBe(true);
  });

  test('with intervals, a rise beyond the tolerance fails only beyond noise: when the 95% intervals do not overlap', () => {
    // The sample's intervals are ±5% around each perplexity.
    const shifted = (factor: number) => (r: Results) => {
      r.perplexity.zh = r.perplexity.zh! * factor;
      r.perplexityCi95.zh = [r.perplexity.zh * 0.95, r.perplexity.zh * 1.05];
    };
    const noisy = compareResults(baseline, current(shifted(1.08))); // [9.74, 10.77] overlaps [9.38, 10.36]
    expect(noisy.ok).toBe(true);
    expect(noisy.checks.find((x) => x.subject === 'zh')).toMatchObject({ ok: true, note: '+8% (within noise: the 95% intervals overlap)', bound: '≤ +5%, beyond noise' });
    const clear = compareResults(baseline, current(shifted(1.2))); // [11.25, 12.44] above 10.36
    expect(clear.checks.filter((x) => !x.ok).map((x) => `${x.subject} ${x.note}`)).toEqual(['zh +20%']);
    expect(clear.checks.find((x) => x.subject === 'zh')!.current).toBe('11.84 [11.3–12.4]');
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
    const b = write('b.json', current((r) => {
      r.perplexity.ko! *= 2;
      r.perplexityCi95.ko = [r.perplexityCi95.ko![0] * 2, r.perplexityCi95.ko![1] * 2];
    }));
    const { stdout, error } = await run(['--baseline', a, '--current', b, '--ppl-tolerance', '0.5']);
    expect(stdout).toMatch(/\n  ko +\| +12\.90 \[12\.3–13\.5\] \| +25\.80 \[24\.5–27\.1\] \| ≤ \+50%, beyond noise \| +\+100% \| ✗\n/);
    expect(error?.message).toBe(`1 regression against ${a}`);
    const json = await run(['--baseline', a, '--current', b, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, regressions: 1, options: { pplTolerance: 0.05, minJaccard: 0.5 } });
  });

  test('refuses a partial baseline, naming the file', async () => {
    const a = write('partial.json', current((r) => void (r.run = { complete: false, interrupted: false, reasons: ['2 tests skipped by -t "core"'] })));
    const b = write('b.json', baseline);
    const { stdout, error } = await run(['--baseline', a, '--current', b]);
    expect(stdout).toBe('');
    expect(error?.message).toBe(
      `${a}: run: a partial run (2 tests skipped by -t "core") is no baseline — every finding it did not run would pass as new. ` +
        "Compare against the results.json of a complete run (the reporter writes a partial run's as results.partial.json).",
    );
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
