// Run by plugin-e2e.test.ts. Imports nothing of ours that registers matchers: the plugin's setup file must have.
import { expect, inject, test } from 'vitest';
import { openSubject } from '../../../src/findings/subject.js';

test('the setup file registered the matchers on vitest’s own expect', async () => {
  const subject = await openSubject(inject('regions'));
  try {
    await expect(subject).not.toLoseCompetenceWhenZeroed({ kind: 'random', fraction: 0.03, seed: 2 }, { minRatio: 1.5, controlMaxRatio: 1.2 });
  } finally {
    await subject.close();
  }
});
