import { appendFileSync } from 'node:fs';
import { expect, test } from '../../../src/vitest/index.js';

/** Which subject object a file got: an id given on first sight, kept in the worker's global scope. */
const ids = ((globalThis as { __regionsSubjectIds?: WeakMap<object, string> }).__regionsSubjectIds ??= new WeakMap());

/**
 * A spec that measures on the subject and logs `<pid> <subject id> <engine>` to $E2E_LOG: the caller
 * compares the lines of the two spec files (one worker, one subject on a GPU engine).
 */
export function loggingSpec(file: string): void {
  test(`${file}: measures on the subject, and logs its worker and subject`, async ({ subject }) => {
    if (!ids.has(subject)) ids.set(subject, Math.random().toString(36).slice(2));
    appendFileSync(process.env.E2E_LOG!, `${process.pid} ${ids.get(subject)} ${subject.engine.name}\n`);
    const ppl = await subject.baseline(['en']);
    expect(ppl.en!.ppl).toBeGreaterThan(1);
  });
}
