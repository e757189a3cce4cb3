/** The region matchers, one per file, as the object `expect.extend` takes. */
import { toBeDimensionSensitive } from './dimension-sensitive.js';
import { toLoseCompetenceWhenZeroed } from './lose-competence.js';
import { toHaveMonolingualRegion } from './monolingual-region.js';
import { toRetainAfterFrozenPretrain } from './retain-after-frozen-pretrain.js';

export type { DimensionSensitiveOptions } from './dimension-sensitive.js';
export type { LoseCompetenceOptions } from './lose-competence.js';
export type { MonolingualRegionOptions } from './monolingual-region.js';
export type { RetainAfterFrozenPretrainOptions } from './retain-after-frozen-pretrain.js';
export type { MatcherOutcome } from './internals/conclude.js';
export { toBeDimensionSensitive, toHaveMonolingualRegion, toLoseCompetenceWhenZeroed, toRetainAfterFrozenPretrain };

/** Every region matcher by name: `expect.extend(regionMatchers)`. */
export const regionMatchers = {
  toLoseCompetenceWhenZeroed,
  toBeDimensionSensitive,
  toHaveMonolingualRegion,
  toRetainAfterFrozenPretrain,
};
