import { appendFileSync } from 'node:fs';
import { expect, test } from '../../../src/vitest/index.js';

/** Which worker ran this file, and which subject object it got (an id given on first sight): the caller compares the two files. */
const ids = ((globalThis as { __regionsSubjectIds?: WeakMap<object, string> }).__regionsSubjectIds ??= new WeakMap());

test('first file: measures on the subject, and logs its worker and subject', async ({ subject }) => {
  if (!ids.has(subject)) ids.set(subject, Math.random().toString(36).slice(2));
  appendFileSync(process.env.E2E_LOG!, `${process.pid} ${ids.get(subject)} ${subject.engine.name}\n`);
  const ppl = await subject.baseline(['en']);
  expect(ppl.en!.ppl).toBeGreaterThan(1);
});
