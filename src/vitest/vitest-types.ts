/**
 * Types the integration adds to vitest (module augmentation; this file emits no code):
 * - the region matchers on `expect(…)`,
 * - `inject('regions')`: the resolved plugin options,
 * - `task.meta.regions`: what the matchers measured, for reporters.
 *
 * A regular module rather than an ambient `.d.ts`, so that tsc emits it into dist/ with the rest and
 * users of the package get the matcher types by importing `vitest-regions/vitest`. As vitest 4.1 wants
 * it: one augmentation of `Matchers<T = any>` (the type parameter named T) types `expect().x`,
 * `expect.x` and `expect.extend`. The matchers are async: always `await` them.
 */
import type { RegionArgument } from './measure/regions.js';
import type { DimensionSensitiveOptions } from './matchers/dimension-sensitive.js';
import type { RegionsRecord } from './measure/result.js';
import type { LoseCompetenceOptions } from './matchers/lose-competence.js';
import type { MonolingualRegionOptions } from './matchers/monolingual-region.js';
import type { RetainAfterFrozenPretrainOptions } from './matchers/retain-after-frozen-pretrain.js';
import type { ResolvedRegionsOptions } from './options.js';

declare module 'vitest' {
  interface Matchers<T = any> {
    /** Zeroing `region` raises perplexity ≥ minRatio in every language; a same-size control stays ≤ controlMaxRatio. */
    toLoseCompetenceWhenZeroed: (region: RegionArgument, options?: LoseCompetenceOptions) => Promise<void>;
    /** ×factor on one parameter at (layer, dim) raises perplexity ≥ minRatio; the same at control dims stays ≤ controlMaxRatio. */
    toBeDimensionSensitive: (options?: DimensionSensitiveOptions) => Promise<void>;
    /** Zeroing `language`'s monolingual region hurts it ≥ minRatio and ≥ minSelectivity× (log-ratio) more than the others. */
    toHaveMonolingualRegion: (language: string, options?: MonolingualRegionOptions) => Promise<void>;
    /** Further pre-training with the region frozen prevents forgetting of retained languages while the new one is learned. */
    toRetainAfterFrozenPretrain: (options?: RetainAfterFrozenPretrainOptions) => Promise<void>;
  }
  interface ProvidedContext {
    /** The plugin's resolved options (see regions() in vitest-regions/vitest/plugin). */
    regions: ResolvedRegionsOptions;
  }
  interface TaskMeta {
    /** One entry per region assertion the test made, in order. */
    regions?: RegionsRecord[];
  }
}

export {};
