/**
 * The registry of findings: each declared once in its own file of this folder (`defineFinding`), listed
 * here in the order reports and docs/findings.md show them. Derived from this list: the matchers
 * `expect.extend` takes (`regionMatchers`) and their types on `expect(…)` (../vitest-types.ts), the
 * thresholds file's schema (../thresholds.ts), the cases `npm run findings` measures (../findings.ts) and the
 * report's titles and charts. Adding a finding: docs/findings-registry.md.
 */
import type { MatcherState } from 'vitest';
import type { MatcherOutcome } from './internals/conclude.js';
import { matcherOf, type FindingDefinition } from './internals/define.js';
import { dimensionSensitivity } from './dimension-sensitive.js';
import { coreRegion } from './lose-competence.js';
import { languageNeurons } from './language-neurons.js';
import { monolingual } from './monolingual-region.js';
import { frozenPretrain } from './retain-after-frozen-pretrain.js';
import { superWeight } from './super-weight.js';
import { massiveActivation } from './massive-activation.js';

export type { DimensionSensitiveOptions } from './dimension-sensitive.js';
export type { LoseCompetenceOptions } from './lose-competence.js';
export type { LanguageNeuronsOptions } from './language-neurons.js';
export type { MonolingualRegionOptions } from './monolingual-region.js';
export type { RetainAfterFrozenPretrainOptions } from './retain-after-frozen-pretrain.js';
export type { SuperWeightOptions } from './super-weight.js';
export type { MassiveActivationOptions } from './massive-activation.js';
export type { MatcherOutcome } from './internals/conclude.js';
export type { CaseInput, FindingChart, FindingDefinition } from './internals/define.js';
export { measureDimensionSensitive, thresholdDims } from './dimension-sensitive.js';
export { measureLoseCompetence } from './lose-competence.js';
export { measureLanguageNeurons } from './language-neurons.js';
export { measureMonolingualRegion } from './monolingual-region.js';
export { measureRetainAfterFrozenPretrain } from './retain-after-frozen-pretrain.js';
export { measureHasSuperWeight } from './super-weight.js';
export { measureHasMassiveActivation } from './massive-activation.js';

/** Every finding, in report order. */
export const FINDINGS = [coreRegion, dimensionSensitivity, massiveActivation, superWeight, monolingual, languageNeurons, frozenPretrain] as const;

type Registry = (typeof FINDINGS)[number];
/** A finding's key in the thresholds file and in records: `coreRegion`, `dimensionSensitivity`, … */
export type Finding = Registry['key'];
/** The arguments a finding's matcher takes after the subject. */
type MatcherArgs<D> = D extends FindingDefinition<string, string, infer A> ? A : never;

/** The region matchers as `expect(subject)` has them (awaited: they are async). */
export type RegionMatchers = { [D in Registry as D['matcher']]: (...args: MatcherArgs<D>) => Promise<void> };

/** The matchers as `expect.extend` takes them, by name. */
export const regionMatchers = Object.fromEntries(FINDINGS.map((d) => [d.matcher, matcherOf(d as FindingDefinition)])) as {
  [D in Registry as D['matcher']]: (this: MatcherState, received: unknown, ...args: MatcherArgs<D>) => Promise<MatcherOutcome>;
};

/** The declaration of a finding by its key, or undefined (a record from a newer version). */
export function findingDefinition(key: string): FindingDefinition | undefined {
  return (FINDINGS as readonly FindingDefinition[]).find((d) => d.key === key);
}

// The matchers by their own names, for users who extend `expect` one at a time.
export const { toLoseCompetenceWhenZeroed, toBeDimensionSensitive, toHaveMassiveActivation, toHaveSuperWeight, toHaveMonolingualRegion, toHaveSelectiveLanguageNeurons, toRetainAfterFrozenPretrain } = regionMatchers;
