/**
 * Types the integration adds to vitest (module augmentation; this file emits no code):
 * - the region matchers on `expect(…)`, derived from the registry of findings (./matchers.ts),
 * - `inject('regions')`: the resolved plugin options,
 * - `task.meta.regions`: what the matchers measured, for reporters.
 *
 * A regular module rather than an ambient `.d.ts`, so that tsc emits it into dist/ with the rest and
 * users of the package get the matcher types by importing `vitest-regions/vitest`. As vitest 4.1 wants
 * it: one augmentation of `Matchers<T = any>` (the type parameter named T) types `expect().x`,
 * `expect.x` and `expect.extend`. The matchers are async: always `await` them.
 */
import type { RegionMatchers } from './matchers.js';
import type { RegionsRecord } from '../findings/measure/result.js';
import type { ResolvedRegionsOptions } from '../subject/options.js';

declare module 'vitest' {
  // One entry per finding of the registry (./matchers.ts): `expect(subject).<matcher>(…args)`.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends RegionMatchers {}
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
