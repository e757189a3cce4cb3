/**
 * What declaring a finding takes — the registry's entry type. A finding is declared once, in its own file
 * of ../ (`defineFinding({...})`), and everything else is derived from the declaration by ../index.ts:
 * the thresholds file's entry (its schema with the paper's defaults), the matcher `expect.extend` takes and
 * its type on `expect(…)`, the cases `npm run findings` measures and the README sentence it writes, and the
 * report's title and chart. docs/findings-registry.md walks through adding one.
 */
import type { z } from 'zod';
import type { CheckpointSubject } from '../../subject/subject.js';
import type { FindingResult } from '../measure/result.js';
import type { Expectation } from '../thresholds-base.js';
import { CATALOG, type Finding, type FindingChart } from '../catalog.js';

export type { FindingChart } from '../catalog.js';

/** One case `npm run findings` measures: the point, what the thresholds expect there (null: reported, not asserted) and the result. */
export interface CaseInput<M extends object = Record<string, unknown>> {
  point: string;
  expected: Expectation | null;
  result: FindingResult<M>;
}

/**
 * The subject as a finding's measurement reads it: a checkpoint subject with the thresholds entries it needs
 * (its own, and another finding's where it shares that one's settings). The subject of the vitest fixture and
 * of `openSubject` has every entry (../subject.ts).
 */
export type SubjectWith<T> = CheckpointSubject & { readonly thresholds: T };

/**
 * The declaration of one finding. `K`: its key (thresholds file, records); `M`: its matcher's name; `A`: the
 * matcher's arguments; `T`: its thresholds entry's schema; `S`: the subject its measurement reads; `R`: its
 * `measured` record (what its measurement module declares), which `cases` and `summary` read without a cast.
 */
export interface FindingDefinition<K extends string = string, M extends string = string, A extends unknown[] = any[], T extends z.ZodType = z.ZodType, S extends CheckpointSubject = any, R extends object = any> {
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
  measure: (subject: S, ...args: A) => Promise<FindingResult<R>>;
  /** The report's chart for it. */
  chart: FindingChart;
  /** The fixed points `npm run findings` measures on a subject (in order), each handed to `add` when done. */
  cases: (subject: S, add: (c: CaseInput<R>) => void) => Promise<void>;
  /** The README's sentence on the cases measured (null: nothing to say). */
  summary: (cases: readonly CaseInput<R>[]) => string | null;
}

/** What a finding's own file declares: its measurement; the rest comes from its entry in ../catalog.ts. */
export type FindingMeasurement<A extends unknown[], T extends z.ZodType, S extends CheckpointSubject, R extends object> = Omit<
  FindingDefinition<string, string, A, T, S, R>,
  'key' | 'title' | 'heading' | 'matcher' | 'description' | 'chart'
>;

/** Declares the finding `key` of the catalog: its entry there with its measurement (keeping the literal types of its key and matcher). */
export function defineFinding<const K extends Finding, A extends unknown[], T extends z.ZodType, S extends CheckpointSubject, R extends object>(
  key: K,
  measurement: FindingMeasurement<A, T, S, R>,
): FindingDefinition<K, (typeof CATALOG)[K]['matcher'], A, T, S, R> {
  return { key, ...CATALOG[key], ...measurement };
}
