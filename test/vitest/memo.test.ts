/**
 * The subject's memos are bounded by bytes: a property sweep asks for a region per (fraction, seed) it
 * tries — a byte per parameter each — and the subject keeps only the most recently used within its budget.
 */
import { afterEach, expect, test } from 'vitest';
import { OpenedSubject } from '../../src/subject/internals/opened-subject.js';
import { openCheckpointSubject } from '../../src/subject/subject.js';
import { competent } from './helpers/instruments.js';
import { instrumentOptions } from './helpers/options.js';

const instrument = await competent();
const budget = OpenedSubject.regionMemoBytes;
afterEach(() => void (OpenedSubject.regionMemoBytes = budget));

test('regions asked for by a sweep over fractions stay within the memo budget; an evicted region comes back equal', async () => {
  const subject = await openCheckpointSubject({ ...instrumentOptions(instrument), backend: 'ort-cpu', threads: 2 });
  const one = await subject.region({ kind: 'random', fraction: 0.01, seed: 1 });
  const regionBytes = [...one.masks.values()].reduce((n, m) => n + m.data.byteLength, 0);
  await subject.close();

  OpenedSubject.regionMemoBytes = 3 * regionBytes;
  const bounded = await openCheckpointSubject({ ...instrumentOptions(instrument), backend: 'ort-cpu', threads: 2 });
  try {
    for (let i = 1; i <= 20; i++) {
      await bounded.region({ kind: 'random', fraction: i / 1000, seed: 1 });
      expect(bounded.memoBytes.regions).toBeLessThanOrEqual(3 * regionBytes);
    }
    expect(await bounded.region({ kind: 'random', fraction: 0.01, seed: 1 })).toEqual(one);
  } finally {
    await bounded.close();
  }
});
