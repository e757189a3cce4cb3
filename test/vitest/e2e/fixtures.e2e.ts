// Run by plugin-e2e.test.ts in a child vitest whose config uses the plugin (see vitest.config.ts here).
import { inject } from 'vitest';
import { expect, test } from '../../../src/vitest/fixtures.js';

test('the subject fixture opens the checkpoint the environment names, with the provided options', async ({ regions, subject, task }) => {
  expect(regions).toEqual(inject('regions'));
  expect(regions.checkpointFrom).toBe('REGIONS_CHECKPOINT');
  expect(subject.dir).toBe(process.env.REGIONS_CHECKPOINT);
  await expect(subject).toLoseCompetenceWhenZeroed({ kind: 'top', fraction: 0.03 }, { minRatio: 1.5, controlMaxRatio: 1.2 });
  expect(task.meta.regions).toHaveLength(1);
});
