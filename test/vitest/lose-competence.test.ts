/**
 * toLoseCompetenceWhenZeroed on the `competent` instrument (see helpers/instruments.ts): its top-3%
 * importance region carries its competence (positive control), while a random or bottom region of the
 * same size does not, and an untrained model has no such region (negative controls).
 */
import { fc } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs';
import { describe } from 'vitest';
import { expect, fcParameters, test } from '../../src/vitest/fixtures.js';
import type { RegionsRecord } from '../../src/findings/measure/result.js';
import { openSubject } from '../../src/findings/subject.js';
import { competent, untrained } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

const instrument = await competent();
test.override('regions', instrumentOptions(instrument));

// Thresholds for a 1-layer, 32-wide model: its top 3% raises perplexity ×2–×3, a random 3% by ≤ ×1.11.
const THRESHOLDS = { minRatio: 1.5, controlMaxRatio: 1.2 };
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('positive control: the top-importance region', () => {
  test('passes, against a random and a bottom control, and leaves no tensor behind', async ({ subject }) => {
    const before = tf.memory().numTensors;
    await expect(subject).toLoseCompetenceWhenZeroed({ kind: 'top', fraction: 0.03 }, { ...THRESHOLDS, control: 'random' });
    await expect(subject).toLoseCompetenceWhenZeroed({ kind: 'top', fraction: 0.03 }, { ...THRESHOLDS, control: 'bottom' });
    expect(tf.memory().numTensors).toBe(before);
  });

  test('records what it measured on the test, as plain JSON, for the reporter', async ({ subject, task }) => {
    await expect(subject).toLoseCompetenceWhenZeroed({ kind: 'top', fraction: 0.03 }, { ...THRESHOLDS, seed: 5 });
    const [record] = task.meta.regions as RegionsRecord[];
    expect(record).toMatchObject({
      matcher: 'toLoseCompetenceWhenZeroed',
      finding: 'coreRegion',
      holds: true,
      negated: false,
      passed: true,
      thresholds: { minRatio: 1.5, controlMaxRatio: 1.2, control: 'random' },
      seeds: { control: 5 },
      subject: { hash: subject.hash },
      regions: { region: { kind: 'top', fraction: 0.03 }, control: { kind: 'random', seed: 5 } },
    });
    expect(record!.regions.control!.entries).toBe(record!.regions.region!.entries);
    expect(record!.tables[0]!.columns).toEqual(['language', 'baseline ppl', 'perturbed ppl', 'ratio', '95% interval', 'threshold', '']);
    expect(record!.tables[0]!.rows.map((r) => r[0])).toEqual(['en', 'es', 'ru']);
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });
});

describe('on the interval (assertOn: interval)', () => {
  test('every ratio carries a 95% interval around it; a minRatio between the least-hit language\'s lower end and its ratio holds on the estimate, not on the interval', async ({ subject, task }) => {
    await expect(subject).toLoseCompetenceWhenZeroed({ kind: 'top', fraction: 0.03 }, { ...THRESHOLDS, control: 'none' });
    const measured = (task.meta.regions as RegionsRecord[])[0]!.measured as { effects: { language: string; ratio: number; ci95: [number, number] }[] };
    for (const e of measured.effects) {
      expect(e.ci95[0], e.language).toBeLessThan(e.ratio);
      expect(e.ci95[1], e.language).toBeGreaterThan(e.ratio);
    }
    const least = measured.effects.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    const minRatio = (least.ci95[0] + least.ratio) / 2;
    await expect(subject).toLoseCompetenceWhenZeroed({ kind: 'top', fraction: 0.03 }, { minRatio, control: 'none' });
    await expect(subject).not.toLoseCompetenceWhenZeroed({ kind: 'top', fraction: 0.03 }, { minRatio, control: 'none', assertOn: 'interval' });
    const onInterval = (task.meta.regions as RegionsRecord[]).at(-1)!;
    expect(onInterval.thresholds).toMatchObject({ assertOn: 'interval' });
    expect(onInterval.failures[0]).toContain(`${least.language} (×`);
    expect(onInterval.failures[0]).toContain(', 95% ×');
  });
});

describe('negative controls', () => {
  test('a random region of the same size does not pass, for any seed', async ({ subject, regions }) => {
    const before = tf.memory().numTensors;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 }), async (seed) => {
        await expect(subject).not.toLoseCompetenceWhenZeroed({ kind: 'random', fraction: 0.03, seed }, THRESHOLDS);
      }),
      fcParameters(regions),
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the bottom region does not pass', async ({ subject }) => {
    await expect(subject).not.toLoseCompetenceWhenZeroed({ kind: 'bottom', fraction: 0.03 }, THRESHOLDS);
  });

  test('asserting it anyway fails with a per-language table of what was measured', async ({ subject }) => {
    const error = await expect(subject)
      .toLoseCompetenceWhenZeroed({ kind: 'random', fraction: 0.03, seed: 1 }, THRESHOLDS)
      .then(() => null, (err: Error) => err);
    const message = stripAnsi(error!.message);
    expect(message).toContain('expect(subject).toLoseCompetenceWhenZeroed(region)');
    expect(message).toContain('Received: it did not hold:\n  ✗ zeroing the region raised perplexity by less than ×1.50 in en (×');
    expect(message).toMatch(/region: zero the random region \(k = 3%\): \d+ entries in 9 weights/);
    expect(message).toMatch(/\n {2}en +\| +\d\.\d{3} \| +\d\.\d{3} \| +×\d\.\d\d \| +×[\d.]+–×[\d.]+ \| +≥ ×1\.50 \| ✗/);
  });

  test('an untrained model has no region whose removal hurts', async () => {
    const subject = await openSubject(instrumentOptions(await untrained()));
    try {
      await expect(subject).not.toLoseCompetenceWhenZeroed({ kind: 'top', fraction: 0.03 }, THRESHOLDS);
    } finally {
      await subject.close();
    }
  });
});
