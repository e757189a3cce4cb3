/**
 * The region matchers, built from the registry of findings (../findings/index.ts): one per finding, named
 * as its catalog entry says, measuring with its declaration's `measure` and concluding with the verdict, the
 * message and the record for reporters (./internals/conclude.ts).
 */
import type { MatcherState } from 'vitest';
import { FINDINGS, type FindingDefinition } from '../findings/index.js';
import { asSubject, conclude, type MatcherOutcome } from './internals/conclude.js';

export type { MatcherOutcome } from './internals/conclude.js';

type Registry = (typeof FINDINGS)[number];
/** The arguments a finding's matcher takes after the subject. */
type MatcherArgs<D> = D extends FindingDefinition<string, string, infer A> ? A : never;

/** The region matchers as `expect(subject)` has them (awaited: they are async). */
export type RegionMatchers = { [D in Registry as D['matcher']]: (...args: MatcherArgs<D>) => Promise<void> };

/** The vitest matcher of a finding: its measurement, then the verdict and the record for the reporter. */
function matcherOf<A extends unknown[]>(d: FindingDefinition<string, string, A>) {
  return async function (this: MatcherState, received: unknown, ...args: A): Promise<MatcherOutcome> {
    const subject = asSubject(received, d.matcher);
    return conclude(this, d.matcher, d.hint(...args), await d.measure(subject, ...args));
  };
}

/** The matchers as `expect.extend` takes them, by name. */
export const regionMatchers = Object.fromEntries(FINDINGS.map((d) => [d.matcher, matcherOf(d as FindingDefinition)])) as {
  [D in Registry as D['matcher']]: (this: MatcherState, received: unknown, ...args: MatcherArgs<D>) => Promise<MatcherOutcome>;
};

// The matchers by their own names, for users who extend `expect` one at a time.
export const { toLoseCompetenceWhenZeroed, toBeDimensionSensitive, toHaveMassiveActivation, toHaveSuperWeight, toHaveMonolingualRegion, toHaveSelectiveLanguageNeurons, toRetainAfterFrozenPretrain } = regionMatchers;
