/**
 * What declaring a finding takes — the registry's entry type. A finding is declared once, in its own file
 * of ../ (`defineFinding({...})`), and everything else is derived from the declaration by ../index.ts:
 * the thresholds file's entry (its schema with the paper's defaults), the matcher `expect.extend` takes and
 * its type on `expect(…)`, the cases `npm run findings` measures and the README sentence it writes, and the
 * report's title and chart. docs/findings-registry.md walks through adding one.
 */
import type { MatcherState } from 'vitest';
import type { z } from 'zod';
import type { FindingResult } from '../../measure/result.js';
import type { RegionsSubject } from '../../subject.js';
import type { Expectation } from '../../thresholds-base.js';
import { asSubject, conclude, type MatcherOutcome } from './conclude.js';

/** One case `npm run findings` measures: the point, what the thresholds expect there (null: reported, not asserted) and the result. */
export interface CaseInput {
  point: string;
  expected: Expectation | null;
  result: FindingResult;
}

/** Which of the report's charts draws an assertion of this finding (the per-run forgetting curves are drawn for any that has them). */
export type FindingChart = 'perplexity' | 'sensitivity' | 'profile' | 'none';

/** The declaration of one finding. `K`: its key (thresholds file, records); `M`: its matcher's name; `A`: the matcher's arguments. */
export interface FindingDefinition<K extends string = string, M extends string = string, A extends unknown[] = any[], T extends z.ZodType = z.ZodType> {
  /** Its key in the thresholds file and in every record (`finding`). */
  key: K;
  /** The name a report gives it: "Core linguistic region". */
  title: string;
  /** Its heading in docs/findings.md: "1. A core region". */
  heading: string;
  /** The matcher on `expect(subject)`. */
  matcher: M;
  /** One line on what the matcher asserts (its JSDoc on `expect(…)` and the docs' table). */
  description: string;
  /** The matcher hint's argument, from the arguments: `'region'`, `'"es"'`. */
  hint: (...args: A) => string;
  /** The thresholds file's entry: a zod object whose every field has the paper's default. */
  thresholds: T;
  /** The measurement and its verdict: the matcher, `npm run findings` and scripts call exactly this. */
  measure: (subject: RegionsSubject, ...args: A) => Promise<FindingResult>;
  /** The report's chart for it. */
  chart: FindingChart;
  /** The fixed points `npm run findings` measures on a subject (in order), each handed to `add` when done. */
  cases: (subject: RegionsSubject, add: (c: CaseInput) => void) => Promise<void>;
  /** The README's sentence on the cases measured (null: nothing to say). */
  summary: (cases: readonly CaseInput[]) => string | null;
}

/** Declares a finding (an identity that keeps the literal types of its key and matcher name). */
export function defineFinding<const K extends string, const M extends string, A extends unknown[], T extends z.ZodType>(
  definition: FindingDefinition<K, M, A, T>,
): FindingDefinition<K, M, A, T> {
  return definition;
}

/** The vitest matcher of a finding: its measurement, then the verdict and the record for the reporter. */
export function matcherOf<A extends unknown[]>(d: FindingDefinition<string, string, A>) {
  return async function (this: MatcherState, received: unknown, ...args: A): Promise<MatcherOutcome> {
    const subject = asSubject(received, d.matcher);
    return conclude(this, d.matcher, d.hint(...args), await d.measure(subject, ...args));
  };
}
