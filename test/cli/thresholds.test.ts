/**
 * `regions thresholds --from results.json`: expectations fitted to what a run saw (fitThresholds on
 * recorded assertions: all held, none held, per language, on the boundary), and the command on the
 * results.json of a real vitest run of the fixture project.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitThresholds, type RecordedAssertion } from '../../src/findings/fit.js';
import { loadThresholds } from '../../src/findings/thresholds.js';
import { INSTALLED_SCHEMA_FILE } from '../../src/findings/thresholds-json-schema.js';
import { vitestOnFixture } from '../report/helpers/fixture-project.js';
import { runCli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'regions-thresholds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const assertion = (holds: boolean, extra: Partial<RecordedAssertion> = {}): RecordedAssertion => ({
  holds,
  thresholds: { minRatio: 3, controlMaxRatio: 1.2, control: 'random' },
  measured: {},
  effects: [{ ratio: holds ? 12 : 2 }, { ratio: 1.05 }],
  ...extra,
});
const options = { schema: './schema.json', checkpoint: 'my-llama', date: '2026-12-07', command: 'regions thresholds --from r.json', source: 'r.json' };

describe('fitThresholds', () => {
  it('expects what every assertion saw, keeps the thresholds the run used, and records the numbers', () => {
    const fit = fitThresholds(
      [
        { finding: 'coreRegion', assertions: [assertion(false), assertion(false)] },
        { finding: 'dimensionSensitivity', assertions: [assertion(true, { thresholds: { minRatio: 10, layer: 2, maxForgetting: null } })] },
      ],
      { superWeight: { expected: 'does-not-hold', minSpike: 40 } },
      options,
    );
    const t = fit.thresholds as Record<string, Record<string, unknown>>;
    expect(t.$schema).toBe('./schema.json');
    expect(t.coreRegion).toMatchObject({ expected: 'does-not-hold', minRatio: 3, controlMaxRatio: 1.2, control: 'random' });
    expect((t.coreRegion!.evidence as { measured: object }).measured).toEqual({ assertions: 2, held: 0, min_ratio: 1.05, median_ratio: 1.525, max_ratio: 2 });
    expect(t.dimensionSensitivity).toMatchObject({ expected: 'holds', minRatio: 10, layer: 2 });
    // A finding the run did not measure keeps the base's entry as written.
    expect(t.superWeight).toEqual({ expected: 'does-not-hold', minSpike: 40 });
    expect(fit.fitted.map((f) => [f.finding, f.expected, f.mixed])).toEqual([
      ['coreRegion', 'does-not-hold', []],
      ['dimensionSensitivity', 'holds', []],
    ]);
  });

  it('per language: the majority is expected, the others listed; a finding on its boundary keeps the earlier expectation', () => {
    const lang = (language: string, holds: boolean) => assertion(holds, { measured: { language }, thresholds: { fraction: 0.01, minRatio: 1.5, minSelectivity: 3 } });
    const fit = fitThresholds(
      [
        { finding: 'monolingual', assertions: [lang('ar', true), lang('es', false), lang('ru', true), lang('zh', true), lang('zh', false)] },
        { finding: 'coreRegion', assertions: [assertion(true), assertion(false)] },
        { finding: 'someNewFinding', assertions: [assertion(true)] },
      ],
      { coreRegion: { expected: 'does-not-hold' }, monolingual: { expectedFor: { zh: 'does-not-hold' } } },
      options,
    );
    const t = fit.thresholds as Record<string, Record<string, unknown>>;
    expect(t.monolingual).toMatchObject({ expected: 'holds', expectedFor: { es: 'does-not-hold', zh: 'does-not-hold' } });
    expect(t.coreRegion!.expected).toBe('does-not-hold');
    expect(fit.fitted.map((f) => [f.finding, f.mixed])).toEqual([
      ['monolingual', ['monolingual.zh']],
      ['coreRegion', ['coreRegion']],
    ]);
    expect(fit.unknown).toEqual(['someNewFinding']);
  });
});

describe('regions thresholds', () => {
  it('fits a file to a real run, refuses to overwrite without --force, and starts from the file it replaces', { timeout: 120_000 }, async () => {
    await vitestOnFixture(['run'], join(tmp, 'reports'));
    const from = join(tmp, 'reports', 'results.json');
    const out = join(tmp, 'project', 'regions.thresholds.json');
    const first = await runCli(['thresholds', '--from', from, '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^monolingual\s+\d+ of \d+\s+(holds|does-not-hold)/m);
    expect(first.stdout).toContain(`wrote ${out}`);
    const written = JSON.parse(readFileSync(out, 'utf8')) as { $schema: string; monolingual: { evidence: { command: string } } };
    expect(existsSync(join(tmp, 'project', written.$schema))).toBe(true);
    expect(join(tmp, 'project', written.$schema)).toBe(INSTALLED_SCHEMA_FILE);
    expect(written.monolingual.evidence.command).toBe(`regions thresholds --from ${from}`);
    expect(() => loadThresholds(out)).not.toThrow();

    const again = await runCli(['thresholds', '--from', from, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`--out ${out} exists: add --force to replace it`);

    // The file it replaces is the base: a number set there by hand stays.
    const edited = JSON.parse(readFileSync(out, 'utf8')) as Record<string, Record<string, unknown>>;
    edited.superWeight = { minSpike: 42 };
    writeFileSync(out, JSON.stringify(edited));
    const forced = await runCli(['thresholds', '--from', from, '--out', out, '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ out, base: out, from });
    expect((JSON.parse(readFileSync(out, 'utf8')) as { superWeight: object }).superWeight).toEqual({ minSpike: 42 });
  });
});
