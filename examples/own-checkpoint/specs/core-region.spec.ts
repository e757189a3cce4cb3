import { expect, test } from 'vitest-regions/vitest';

test('zeroing the top-3% importance region hurts every language; a random 3% does not', async ({ subject }) => {
  await expect(subject).toLoseCompetenceWhenZeroed(
    { kind: 'top', fraction: 0.03 },
    { minRatio: 1.5, control: 'random', controlMaxRatio: 1.2 },
  );
});
