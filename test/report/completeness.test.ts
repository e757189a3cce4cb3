/** judgeRun: which runs are complete, and the reasons a partial one gives. */
import { describe, expect, test } from 'vitest';
import { judgeRun, type RunScope } from '../../src/report/completeness.js';

const FILES = ['specs/a.spec.ts', 'specs/b.spec.ts', 'specs/c.spec.ts', 'specs/d.spec.ts', 'specs/e.spec.ts', 'specs/f.spec.ts', 'specs/g.spec.ts'];
const whole: RunScope = { reason: 'failed', unhandledErrors: 0, files: FILES, ran: FILES, filters: [], skipped: 0, unfinished: 0, shard: null };
const reasons = (change: Partial<RunScope>) => judgeRun({ ...whole, ...change }).reasons;

describe('judgeRun', () => {
  test('every file ran, nothing filtered, ended on its own: complete, also with failed tests', () => {
    expect(judgeRun(whole)).toEqual({ complete: true, interrupted: false, reasons: [] });
  });

  test('tests a spec skips itself (no filter given) leave the run complete', () => {
    expect(judgeRun({ ...whole, skipped: 3 }).complete).toBe(true);
  });

  test('each way of running part of the specs, with its reason', () => {
    expect(reasons({ reason: 'interrupted' })).toEqual(['the run was interrupted (Ctrl-C, --bail or a cancelled run)']);
    expect(judgeRun({ ...whole, reason: 'interrupted' }).interrupted).toBe(true);
    expect(reasons({ unhandledErrors: 2 })).toEqual(['2 unhandled errors (a crashed worker loses the results of its file)']);
    expect(reasons({ shard: '2/3' })).toEqual(["shard 2/3 only (merge the shards' blob reports with vitest --merge-reports for the whole run)"]);
    expect(reasons({ ran: ['specs/a.spec.ts'] })).toEqual(['6 of 7 test files did not run: specs/b.spec.ts, specs/c.spec.ts, specs/d.spec.ts, specs/e.spec.ts, specs/f.spec.ts and 1 more']);
    expect(reasons({ filters: ['-t "core"', 'specs/a.spec.ts:12'], skipped: 1 })).toEqual(['1 test skipped by -t "core", specs/a.spec.ts:12']);
    expect(reasons({ filters: ['-t "core"'] })).toEqual([]); // a filter every test matched left nothing out
    expect(reasons({ unfinished: 2 })).toEqual(['2 tests did not finish']);
  });
});
