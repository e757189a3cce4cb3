/**
 * The registry of findings: each declared once — what it is in ./catalog.ts, its measurement in its own file
 * of this folder (`defineFinding`) — listed here in the catalog's order. Derived from this list: the matchers
 * `expect.extend` takes and their types on `expect(…)` (../vitest/matchers.ts), the thresholds file's schema
 * (./thresholds.ts) and the cases `npm run findings` measures (./docs.ts). Adding a finding:
 * docs/findings-registry.md.
 */
import { FINDING_KEYS } from './catalog.js';
import type { FindingDefinition } from './internals/define.js';
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
export type { CaseInput, FindingChart, FindingDefinition, SubjectWith } from './internals/define.js';
export { CATALOG, FINDING_KEYS, findingEntry, type Finding, type FindingEntry } from './catalog.js';
export { measureDimensionSensitive, thresholdDims } from './dimension-sensitive.js';
export { measureLoseCompetence } from './lose-competence.js';
export { measureLanguageNeurons } from './language-neurons.js';
export { measureMonolingualRegion } from './monolingual-region.js';
export { measureRetainAfterFrozenPretrain } from './retain-after-frozen-pretrain.js';
export { measureHasSuperWeight } from './super-weight.js';
export { measureHasMassiveActivation } from './massive-activation.js';

/** Every finding, in report order. */
export const FINDINGS = [coreRegion, dimensionSensitivity, massiveActivation, superWeight, monolingual, languageNeurons, frozenPretrain] as const;

// The registry lists the catalog's findings, in its order.
if (FINDINGS.map((d) => d.key).join() !== FINDING_KEYS.join()) throw new Error(`findings/index.ts: FINDINGS must list ${FINDING_KEYS.join(', ')} in this order`);

/** The declaration of a finding by its key, or undefined (a record from a newer version). */
export function findingDefinition(key: string): FindingDefinition | undefined {
  return (FINDINGS as readonly FindingDefinition[]).find((d) => d.key === key);
}
