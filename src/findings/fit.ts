/**
 * A thresholds file fitted to a run: for each finding the run measured, `expected` says what the run saw
 * (held in every assertion: "holds"; in none: "does-not-hold"), per language where the finding's entry has
 * `expectedFor`, with the run's numbers as evidence. The numbers a matcher checks are kept as the run used
 * them, so the file describes exactly what was measured. Where a finding held in some assertions and not in
 * others (a property on the boundary: no expectation makes its spec pass), the base's expectation is kept and
 * the finding is listed as mixed, for a person to decide (move a threshold, or narrow the property).
 *
 * `regions thresholds --from reports/results.json` writes it; the input is what results.json records of each
 * finding, so this module needs nothing of the report.
 */
import { z } from 'zod';
import { median } from '../util/stats.js';
import { findingDefinition } from './index.js';
import { parseThresholds, type Expectation, type ThresholdsInput } from './thresholds.js';

/** What a run recorded of one assertion (results.json's `findings[].assertions[]`, the fields used here). */
export interface RecordedAssertion {
  holds: boolean;
  thresholds: Record<string, unknown>;
  measured: Record<string, unknown>;
  effects: readonly { ratio: number | null }[];
}

/** What a run recorded of one finding in one test. */
export interface RecordedFinding {
  finding: string;
  assertions: readonly RecordedAssertion[];
}

/** What the run said of one finding, and what was written for it. */
export interface FittedFinding {
  finding: string;
  assertions: number;
  held: number;
  expected: Expectation;
  /** Languages expected otherwise than `expected` (findings measured per language). */
  expectedFor: Record<string, Expectation>;
  /** Groups (the finding, or its languages) that held in some assertions and not in others; their expectation is the base's. */
  mixed: string[];
}

export interface FitResult {
  /** The thresholds file to write (validated). */
  thresholds: ThresholdsInput;
  fitted: FittedFinding[];
  /** Findings of the run this version does not know (skipped). */
  unknown: string[];
}

export interface FitOptions {
  /** The file's `$schema`. */
  schema: string;
  /** Free text naming the checkpoint (results.json's label). */
  checkpoint: string | undefined;
  /** ISO date of the evidence. */
  date: string;
  /** The command recorded as evidence. */
  command: string;
  /** One line on where the numbers come from (the results file, its run's start). */
  source: string;
}

type Outcome = Expectation | 'mixed';

function outcome(assertions: readonly RecordedAssertion[]): Outcome {
  const held = assertions.filter((a) => a.holds).length;
  return held === assertions.length ? 'holds' : held === 0 ? 'does-not-hold' : 'mixed';
}

const round = (x: number) => Number(x.toPrecision(4));

/**
 * A threshold the run used, kept when every assertion used the same value and it is a valid value of the
 * finding's field (a matcher records an unset optional threshold as null: left out here).
 */
function usedThresholds(shape: Record<string, z.ZodType>, assertions: readonly RecordedAssertion[]): Record<string, unknown> {
  const used: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(assertions[0]!.thresholds)) {
    if (!(key in shape) || key === 'expected' || key === 'expectedFor' || key === 'evidence') continue;
    if (value === null || !shape[key]!.safeParse(value).success) continue;
    if (assertions.every((a) => JSON.stringify(a.thresholds[key]) === JSON.stringify(value))) used[key] = value;
  }
  return used;
}

/** The ratios the assertions measured (region and controls alike), summarised; and per language, whether it held. */
function measuredSummary(assertions: readonly RecordedAssertion[], byLanguage: Map<string, RecordedAssertion[]> | null): Record<string, unknown> {
  const ratios = assertions.flatMap((a) => a.effects.map((e) => e.ratio).filter((r): r is number => r !== null && Number.isFinite(r)));
  return {
    assertions: assertions.length,
    held: assertions.filter((a) => a.holds).length,
    ...(ratios.length > 0 && { min_ratio: round(Math.min(...ratios)), median_ratio: round(median(ratios)), max_ratio: round(Math.max(...ratios)) }),
    ...(byLanguage !== null && { held_by_language: Object.fromEntries([...byLanguage].map(([l, a]) => [l, `${a.filter((x) => x.holds).length} of ${a.length}`])) }),
  };
}

/**
 * Fits a thresholds file to a run's findings, starting from `base` (the file it replaces, or `{}` for the
 * paper's defaults): findings the run did not measure keep the base's entry.
 * @throws Error when the fitted file does not validate (a bug: it names the finding and field).
 */
export function fitThresholds(findings: readonly RecordedFinding[], base: ThresholdsInput, options: FitOptions): FitResult {
  const byFinding = new Map<string, RecordedAssertion[]>();
  for (const f of findings) byFinding.set(f.finding, [...(byFinding.get(f.finding) ?? []), ...f.assertions]);
  const out: Record<string, unknown> = { ...base, $schema: options.schema };
  if (options.checkpoint !== undefined) out.checkpoint = options.checkpoint;
  const fitted: FittedFinding[] = [];
  const unknown: string[] = [];
  for (const [key, assertions] of byFinding) {
    const definition = findingDefinition(key);
    if (definition === undefined || assertions.length === 0) {
      unknown.push(key);
      continue;
    }
    const shape = (definition.thresholds as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
    const previous = parseThresholds({ [key]: (base as Record<string, unknown>)[key] ?? {} })[key as keyof ThresholdsInput] as {
      expected: Expectation;
      expectedFor?: Record<string, Expectation>;
    };
    const perLanguage = 'expectedFor' in shape && assertions.every((a) => typeof a.measured.language === 'string');
    const mixed: string[] = [];
    let expected: Expectation;
    const expectedFor: Record<string, Expectation> = {};
    let languages: Map<string, RecordedAssertion[]> | null = null;
    if (perLanguage) {
      languages = new Map<string, RecordedAssertion[]>();
      for (const a of assertions) languages.set(a.measured.language as string, [...(languages.get(a.measured.language as string) ?? []), a]);
      const outcomes = new Map([...languages].map(([l, a]) => [l, outcome(a)] as const));
      const decided = [...outcomes.values()].filter((o): o is Expectation => o !== 'mixed');
      const holding = decided.filter((o) => o === 'holds').length;
      // The languages' majority is `expected`; the others are listed in expectedFor (a tie: holds).
      expected = decided.length === 0 ? previous.expected : holding * 2 >= decided.length ? 'holds' : 'does-not-hold';
      for (const [l, o] of outcomes) {
        const wanted = o === 'mixed' ? (previous.expectedFor?.[l] ?? previous.expected) : o;
        if (o === 'mixed') mixed.push(`${key}.${l}`);
        if (wanted !== expected) expectedFor[l] = wanted;
      }
    } else {
      const o = outcome(assertions);
      if (o === 'mixed') mixed.push(key);
      expected = o === 'mixed' ? previous.expected : o;
    }
    const held = assertions.filter((a) => a.holds).length;
    const note =
      `Fitted from ${options.source}: held in ${held} of ${assertions.length} assertions` +
      (mixed.length > 0 ? `; ${mixed.join(', ')} held in some and not in others (on the boundary), so the earlier expectation is kept there.` : '.');
    out[key] = {
      ...((base as Record<string, unknown>)[key] as object | undefined),
      ...usedThresholds(shape, assertions),
      expected,
      ...(perLanguage && { expectedFor }),
      evidence: { date: options.date, command: options.command, measured: measuredSummary(assertions, languages), note },
    };
    fitted.push({ finding: key, assertions: assertions.length, held, expected, expectedFor, mixed });
  }
  parseThresholds(out, 'the fitted thresholds');
  return { thresholds: out as ThresholdsInput, fitted, unknown };
}
