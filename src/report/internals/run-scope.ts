/** What the reporter reads off vitest to judge a run complete (../completeness.ts): files, filters, states. */
import { relative, sep } from 'node:path';
import type { TestModule, TestProject, TestSpecification, Vitest } from 'vitest/node';
import type { RunScope } from '../completeness.js';

const posix = (path: string) => path.split(sep).join('/');

/** The test filters given to vitest, as a user would write them (`-t "core"`, `specs/a.spec.ts:12`). */
export function testFilters(vitest: Vitest, specifications: ReadonlyArray<TestSpecification>): string[] {
  const root = vitest.config.root;
  const filters = new Set<string>();
  const pattern = (p: RegExp | undefined) => p !== undefined && filters.add(`-t ${JSON.stringify(p.source)}`);
  const tags = (t: readonly string[] | undefined) => t !== undefined && t.length > 0 && filters.add(`--tags-filter ${t.join(' ')}`);
  pattern(vitest.config.testNamePattern);
  tags(vitest.config.tagsFilter);
  for (const s of specifications) {
    pattern(s.testNamePattern);
    tags(s.testTagsFilter);
    const file = posix(relative(root, s.moduleId));
    if (s.testLines !== undefined && s.testLines.length > 0) filters.add(`${file}:${s.testLines.join(',')}`);
    if (s.testIds !== undefined && s.testIds.length > 0) filters.add(`chosen tests of ${file}`);
  }
  return [...filters];
}

/** Input of {@link runScope}. */
export interface ScopeInput {
  vitest: Vitest;
  /** The projects the reporter reports on. */
  projects: readonly TestProject[];
  /** Their test modules as vitest ended the run. */
  modules: ReadonlyArray<TestModule>;
  unhandledErrors: number;
  reason: RunScope['reason'];
  filters: readonly string[];
}

/** The scope of the run: every test file of the projects against those that ran, and the tests' states. */
export async function runScope(input: ScopeInput): Promise<RunScope> {
  const { vitest } = input;
  const root = vitest.config.root;
  const rel = (file: string) => posix(relative(root, file));
  const files = new Set<string>();
  for (const project of input.projects) for (const file of (await project.globTestFiles()).testFiles) files.add(rel(file));
  const tests = input.modules.flatMap((m) => [...m.children.allTests()].map((t) => t.result().state));
  const shard = vitest.config.shard;
  return {
    reason: input.reason,
    unhandledErrors: input.unhandledErrors,
    files: [...files].sort(),
    ran: input.modules.filter((m) => m.state() !== 'queued').map((m) => rel(m.moduleId)),
    filters: input.filters,
    skipped: tests.filter((s) => s === 'skipped').length,
    unfinished: tests.filter((s) => s === 'pending').length,
    shard: shard === undefined || vitest.config.mergeReports ? null : `${shard.index}/${shard.count}`,
  };
}
