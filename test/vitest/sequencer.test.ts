/**
 * The sequencer (src/vitest/sequencer.ts): files vitest has no duration for start by the cold time their
 * budget declares, longest first; a recorded duration wins over the declaration; files that declare nothing
 * keep vitest's order after the others; projects are not interleaved.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import { declaredColdSeconds, RegionsSequencer } from '../../src/vitest/sequencer.js';

test('the declared cold time is read from specBudget calls in the source', () => {
  expect(declaredColdSeconds(`const budget = specBudget('finding 4', { coldSeconds: 110 });`)).toBe(110);
  expect(declaredColdSeconds(`specBudget('a', { coldSeconds: 19, runs: 3 }); specBudget('b', {coldSeconds:22.5})`)).toBe(22.5);
  expect(declaredColdSeconds(`test('no budget', () => {})`)).toBeNull();
});

function project(name: string) {
  return { name, config: { sequence: { groupOrder: 0 }, isolate: true } };
}

test('longest declared first inside a project, recorded durations first, undeclared after, projects kept apart', async () => {
  const root = mkdtempSync(join(tmpdir(), 'regions-seq-'));
  const files: Record<string, string> = {
    'a.spec.ts': `specBudget('a', { coldSeconds: 20 })`,
    'b.spec.ts': `specBudget('b', { coldSeconds: 110 })\n${'// a long comment\n'.repeat(10)}`,
    'c.spec.ts': `test('plain', () => {})\n${'// padding\n'.repeat(100)}`, // the largest file: vitest alone would run it first
    'd.spec.ts': `specBudget('d', { coldSeconds: 30 })`,
    'u.test.ts': `test('unit', () => {})`,
  };
  for (const [f, text] of Object.entries(files)) writeFileSync(join(root, f), text);
  const specs = project('specs');
  const unit = project('unit');
  const spec = (f: string, p = specs) => ({ moduleId: join(root, f), project: p }) as unknown as TestSpecification;
  const durations: Record<string, number> = { 'specs:d.spec.ts': 200_000 }; // d ran before and took 200 s
  const ctx = {
    config: { root },
    cache: {
      getFileTestResults: (key: string) => (key in durations ? { duration: durations[key], failed: false } : undefined),
      getFileStats: (key: string) => ({ size: files[key.slice(key.indexOf(':') + 1)]!.length }),
    },
  } as unknown as Vitest;
  const sorted = await new RegionsSequencer(ctx).sort([spec('a.spec.ts'), spec('u.test.ts', unit), spec('b.spec.ts'), spec('c.spec.ts'), spec('d.spec.ts')]);
  expect(sorted.map((s) => `${s.project.name}:${s.moduleId.slice(root.length + 1)}`)).toEqual([
    'specs:d.spec.ts',
    'specs:b.spec.ts',
    'specs:a.spec.ts',
    'specs:c.spec.ts',
    'unit:u.test.ts',
  ]);
});
