/**
 * vitest-regions/vitest, for spec files: `test` with the `regions` and `subject` fixtures, `expect` with
 * the region matchers (typed), and everything of ./standalone.js. It imports vitest's runner, so it
 * loads only inside `vitest run`; the plugin for vitest.config.ts is vitest-regions/vitest/plugin, and
 * scripts use vitest-regions/vitest/standalone.
 */
import './vitest-types.js';

export { test, it, expect, expectFinding, fcParameters } from './fixtures.js';
/** fast-check, as the specs use it (one import for a project that installs vitest-regions alone). */
export { default as fc } from 'fast-check';
export { regionFraction, hiddenDim, layerIndex } from './arbitraries.js';
export { specBudget, TIME_SCALE_ENV, type ColdTime, type SpecBudget } from './budget.js';
export { BudgetExceededError, SpecProgress } from '../subject/progress.js';
export * from './matchers.js';
export * from '../findings/index.js';
export * from './standalone.js';
