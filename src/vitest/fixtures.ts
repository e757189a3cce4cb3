/**
 * `test` with the worker-scoped fixtures a spec needs, and `expect` with the region matchers:
 *
 *     import { test, expect } from 'vitest-regions/vitest';
 *     test('the core region carries every language', async ({ subject }) => {
 *       await expect(subject).toLoseCompetenceWhenZeroed({ kind: 'top', fraction: 0.01 });
 *     });
 *
 * Fixtures (both `{ scope: 'worker' }`: set up once per worker — with vitest's default isolation, once
 * per test file — and shared by its tests):
 * - `regions`: the plugin's resolved options (`inject('regions')`; `{ injected: true }`, so a project's
 *   `provide: { regions }` overrides it, and `test.override('regions', …)` does in a file);
 * - `subject`: the checkpoint under test ({@link RegionsSubject}), opened on the chosen backend, closed
 *   (its tensors freed) when the worker is done.
 */
import { expect, test as base } from 'vitest';
import { regionMatchers } from './matchers.js';
import { REGIONS_PROVIDE_KEY, type ResolvedRegionsOptions } from '../subject/options.js';
import { openSubject, type RegionsSubject } from '../findings/subject.js';
import type { Expectation } from '../findings/thresholds.js';
import './vitest-types.js';

// The plugin's setup file registers the matchers too; doing it here as well lets a file that imports
// this module run without the plugin (e.g. from a project that sets `provide` itself).
expect.extend(regionMatchers);

const NOT_CONFIGURED =
  'the `subject` fixture has no options: add regions({ checkpoint }) from vitest-regions/vitest/plugin to `plugins` in ' +
  "vitest.config.ts, or give this file options with test.override('regions', resolveRegionsOptions({ … }))";

/**
 * vitest's `test` with the `regions` and `subject` worker fixtures. `regions` is typed as always there:
 * it is whenever the plugin (or a `provide`/`test.override`) supplies it, and `subject` says what to do
 * when nothing does.
 */
export const test = base
  .extend(REGIONS_PROVIDE_KEY, { scope: 'worker', injected: true }, undefined as unknown as ResolvedRegionsOptions)
  .extend('subject', { scope: 'worker' }, async ({ regions }, { onCleanup }): Promise<RegionsSubject> => {
    if ((regions as ResolvedRegionsOptions | undefined) === undefined) throw new Error(NOT_CONFIGURED);
    const subject = await openSubject(regions);
    onCleanup(() => subject.close());
    return subject;
  });

export { expect };
export const it = test;

/**
 * `expect(subject)` or `expect(subject).not`, as the thresholds file expects the finding to hold or not
 * on this checkpoint: `await expectFinding(subject.thresholds.coreRegion.expected, subject).toLoseCompetenceWhenZeroed(…)`.
 */
export function expectFinding(expected: Expectation, subject: RegionsSubject) {
  return expected === 'holds' ? expect(subject) : expect(subject).not;
}

/** fast-check parameters from the plugin options: `fc.assert(property, fcParameters(regions))`. */
export function fcParameters(regions: ResolvedRegionsOptions): { numRuns: number; seed?: number } {
  return regions.seed === undefined ? { numRuns: regions.runs } : { numRuns: regions.runs, seed: regions.seed };
}
