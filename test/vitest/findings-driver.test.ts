/**
 * One measurement path (issue 13): `npm run findings` (src/vitest/findings.ts, each declaration's `cases`) and
 * the matchers a spec calls report identical numbers for identical settings. On a small checkpoint (the
 * `competent` instrument, with a thresholds file that names every finding's point), every case the driver
 * measures equals, field for field, the record the matcher leaves when a spec asserts it at that point.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { measureFindings } from '../../src/findings/docs.js';
import { expect, test } from '../../src/vitest/fixtures.js';
import { FINDINGS, thresholdDims } from '../../src/findings/index.js';
import type { RegionsRecord } from '../../src/findings/measure/result.js';
import { competent } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

const thresholds = join(mkdtempSync(join(tmpdir(), 'regions-thresholds-')), 'regions.thresholds.json');
writeFileSync(
  thresholds,
  JSON.stringify({
    coreRegion: { fraction: 0.03, minRatio: 1.5, controlMaxRatio: 1.2 },
    dimensionSensitivity: { layer: 0, dims: 'detected', target: { tensor: 'input_layernorm' }, controlCount: 2 },
    monolingual: { fraction: 0.05 },
    frozenPretrain: { train: 'ru', retain: ['en'], steps: 6, batch: 2, lr: 1e-3, curvePoints: 2 },
  }),
);
test.override('regions', instrumentOptions(await competent(), { backend: 'ort-cpu', thresholds, heldoutTexts: mkdtempSync(join(tmpdir(), 'no-heldout-')), seed: 7 }));

const strip = (r: RegionsRecord) => {
  const { matcher: _m, negated: _n, passed: _p, ...result } = r;
  return result;
};

describe('npm run findings and the matchers', { timeout: 120_000 }, () => {
  test('every case of every finding equals the matcher’s record at the same point', async ({ subject, task }) => {
    const report = await measureFindings(subject);
    expect(new Set(report.cases.map((c) => c.finding))).toEqual(new Set(FINDINGS.map((d) => d.key)));
    const t = subject.thresholds;
    const records = () => task.meta.regions as RegionsRecord[];
    const soft = async (assertion: Promise<void>) => assertion.catch(() => {}); // the verdict does not matter here, the record does
    const asserted: { finding: string; point: string; record: RegionsRecord }[] = [];
    const assert = async (finding: string, point: string, run: () => Promise<void>) => {
      await soft(run());
      asserted.push({ finding, point, record: records().at(-1)! });
    };
    const k = `k = ${+(t.coreRegion.fraction * 100).toPrecision(3)}%`;
    await assert('coreRegion', k, () => expect(subject).toLoseCompetenceWhenZeroed({ kind: 'top', fraction: t.coreRegion.fraction }));
    await assert('coreRegion', `${k}, Wanda`, () => expect(subject).toLoseCompetenceWhenZeroed({ kind: 'top', fraction: t.coreRegion.fraction, source: 'wanda' }));
    for (const dim of await thresholdDims(subject)) await assert('dimensionSensitivity', `layer 0, dim ${dim}`, () => expect(subject).toBeDimensionSensitive({ dim }));
    await assert('massiveActivation', 'detected', () => expect(subject).toHaveMassiveActivation());
    await assert('superWeight', 'detected', () => expect(subject).toHaveSuperWeight());
    for (const l of subject.options.regionLanguages) {
      await assert('monolingual', l, () => expect(subject).toHaveMonolingualRegion(l));
      await assert('languageNeurons', `${l}, LAPE neurons`, () => expect(subject).toHaveSelectiveLanguageNeurons(l));
    }
    await assert('frozenPretrain', `${t.frozenPretrain.steps} steps on ${t.frozenPretrain.train}`, () => expect(subject).toRetainAfterFrozenPretrain());

    expect(asserted.map((a) => `${a.finding} ${a.point}`).sort()).toEqual(report.cases.map((c) => `${c.finding} ${c.point}`).sort());
    for (const a of asserted) {
      const c = report.cases.find((x) => x.finding === a.finding && x.point === a.point)!;
      // The Wanda case carries its overlap table beside the matcher's record: compare what the matcher measured.
      const result = a.point.endsWith('Wanda') ? { ...c.result, tables: c.result.tables.slice(0, -1), measured: { ...c.result.measured, overlap: undefined } } : c.result;
      const record = strip(a.record);
      expect(JSON.parse(JSON.stringify(a.point.endsWith('Wanda') ? { ...record, measured: { ...record.measured, overlap: undefined } } : record)), `${a.finding} ${a.point}`).toEqual(JSON.parse(JSON.stringify(result)));
    }
  });
});
