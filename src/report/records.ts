/**
 * One `task.meta.regions` record — what a region matcher measured (FindingResult + matcher, negated,
 * passed; see src/vitest/internals/conclude.ts) — read into an {@link AssertionEntry}. This is
 * the one place that knows the matchers' record shape. It reads tolerantly: unknown fields are ignored
 * and optional ones defaulted, so the matchers can grow fields without breaking the report; what it
 * cannot read comes back as the path and the problem, for a warning on the test.
 *
 * Normalised on the way: per-language numbers into {@link Effect}s by condition ("core zeroed", "random
 * zeroed", "dim 2100"), further pre-training runs into curve points relative to step 0, and a region's
 * optional report extras (fingerprint, layout; see ./region-data.ts) set apart for `regionData`.
 */
import { z } from 'zod';
import {
  regionFingerprintSchema,
  regionLayoutSchema,
  resultTableSchema,
  type AssertionEntry,
  type CurvePoint,
  type Effect,
  type RegionEntry,
  type Results,
} from './results.js';
import { firstIssue } from '../util/zod-issue.js';

const numberOrNull = z.number().nullable();
const interval = z.tuple([z.number(), z.number()]).nullable();
const rawEffect = z.looseObject({ language: z.string(), baseline: z.number(), perturbed: numberOrNull, ratio: numberOrNull, ci95: interval.optional(), baselineCi95: interval.optional() });
const rawEffects = z.array(rawEffect);

const rawRegion = z.looseObject({
  kind: z.string(),
  fraction: z.number(),
  languages: z.array(z.string()).default([]),
  entries: z.number().int().nonnegative(),
  weights: z.number().int().nonnegative().default(0),
  seed: z.number().nullable().default(null),
  sha256: z.string(),
  description: z.string().default(''),
  /** Optional extras for the report: ./fingerprint.ts and ./layout.ts of the region's masks. */
  fingerprint: regionFingerprintSchema.optional(),
  layout: regionLayoutSchema.optional(),
});

/** A `task.meta.regions` record: FindingResult + { matcher, negated, passed }, read tolerantly. */
const rawRecord = z.looseObject({
  finding: z.string(),
  matcher: z.string().default('unknown matcher'),
  negated: z.boolean().optional(),
  isNot: z.boolean().optional(),
  passed: z.boolean().optional(),
  pass: z.boolean().optional(),
  holds: z.boolean().optional(),
  claim: z.string().default(''),
  subject: z.looseObject({ dir: z.string(), hash: z.string(), label: z.string() }).optional(),
  tables: z.array(resultTableSchema).default([]),
  failures: z.array(z.string()).default([]),
  successes: z.array(z.string()).default([]),
  thresholds: z.record(z.string(), z.unknown()).default({}),
  seeds: z.record(z.string(), z.number()).default({}),
  regions: z.record(z.string(), rawRegion).default({}),
  measured: z.record(z.string(), z.unknown()).default({}),
});
type RawRecord = z.infer<typeof rawRecord>;

/** "core" for the top region, "random", "bottom", "ar monolingual"… */
function regionLabel(kind: string | undefined): string {
  if (kind === undefined || kind === 'top') return 'core';
  if (kind.startsWith('neurons:')) return `${kind.slice('neurons:'.length)} language neurons`;
  return kind.startsWith('monolingual:') ? `${kind.slice('monolingual:'.length)} monolingual` : kind;
}

function effectsOf(value: unknown, condition: string, role: Effect['role'], dim?: number, seed?: number | null): Effect[] {
  const parsed = rawEffects.safeParse(value);
  if (!parsed.success) return [];
  return parsed.data.map((e) => ({
    condition,
    role,
    ...(dim !== undefined && { dim }),
    ...(seed !== undefined && seed !== null && { seed }),
    language: e.language,
    baseline: e.baseline,
    perturbed: e.perturbed,
    ratio: e.ratio,
    // A record from before the intervals has none (null), as has a ratio that is not a finite number.
    ci95: e.ci95 ?? null,
    baselineCi95: e.baselineCi95 ?? null,
  }));
}

const rawControls = z.array(z.looseObject({ dim: z.number().int(), effects: z.unknown() }));
const rawControlRuns = z.array(z.looseObject({ seed: z.number().int().nullable(), effects: z.unknown() }));

/** The per-language numbers of a record, by condition (see the `effects` field of a finding). */
function normalizeEffects(r: RawRecord): Effect[] {
  const m = r.measured;
  if (typeof m.dim === 'number') { // finding 2's measurement (a dim and its control dims), alone or inside another finding's
    const controls = rawControls.safeParse(m.controls);
    return [
      ...effectsOf(m.effects, `dim ${m.dim}`, 'region', m.dim),
      ...(controls.success ? controls.data.flatMap((c) => effectsOf(c.effects, `dim ${c.dim}`, 'control', c.dim)) : []),
    ];
  }
  const controlKind = r.regions.control?.kind ?? (typeof r.thresholds.control === 'string' ? r.thresholds.control : 'control');
  const condition = `${controlKind} zeroed`;
  // Several controls (a distribution of seeded regions) share one condition, each effect with its seed; a record
  // from before the distributions has one control, as controlEffects.
  const controls = rawControlRuns.safeParse(m.controls);
  const controlEffects = controls.success
    ? controls.data.flatMap((c) => effectsOf(c.effects, condition, 'control', undefined, controls.data.length > 1 ? c.seed : undefined))
    : effectsOf(m.controlEffects, condition, 'control');
  return [...effectsOf(m.effects, `${regionLabel(r.regions.region?.kind)} zeroed`, 'region'), ...controlEffects];
}

const rawCurve = z.looseObject({
  points: z.array(z.looseObject({ step: z.number().int().nonnegative(), perplexity: z.record(z.string(), z.looseObject({ ppl: z.number() })) })),
});
const rawComparison = z.looseObject({
  step: z.number().int().nonnegative(),
  retained: z.record(z.string(), z.looseObject({ baseline: z.number(), frozen: z.number() })),
  trained: z.looseObject({ language: z.string(), baseline: z.number(), frozen: z.number() }),
});

const RUNS = { baseline: 'nothing frozen', frozen: 'region frozen', control: 'control frozen' } as const;

/**
 * Further pre-training curves: from `measured.curves` ({ baseline, frozen, control? } ForgettingCurves)
 * when recorded, else the two points (step 0 and the last step) that `measured.comparison` implies.
 */
function normalizeCurves(r: RawRecord): CurvePoint[] {
  const m = r.measured;
  const trainedLanguage = typeof r.thresholds.train === 'string' ? r.thresholds.train : rawComparison.safeParse(m.comparison).data?.trained.language;
  const curves = z.record(z.string(), rawCurve).safeParse(m.curves);
  if (curves.success) {
    return Object.entries(RUNS).flatMap(([key, run]) => {
      const curve = curves.data[key];
      const origin = curve?.points[0]?.perplexity;
      if (curve === undefined || origin === undefined) return [];
      return curve.points.flatMap((p) =>
        Object.entries(p.perplexity).map(([language, { ppl }]) => ({
          run,
          language,
          trained: language === trainedLanguage,
          step: p.step,
          relative: ppl / (origin[language]?.ppl ?? ppl),
          ppl,
        })),
      );
    });
  }
  const points: CurvePoint[] = [];
  const comparison = rawComparison.safeParse(m.comparison);
  const control = rawComparison.safeParse(m.control);
  type Run = [run: string, c: z.infer<typeof rawComparison>, field: 'baseline' | 'frozen'];
  const runs: Run[] = [];
  if (comparison.success) runs.push([RUNS.baseline, comparison.data, 'baseline'], [RUNS.frozen, comparison.data, 'frozen']);
  if (control.success) runs.push([RUNS.control, control.data, 'frozen']);
  for (const [run, c, field] of runs) {
    const ends = (language: string, trained: boolean, last: number) => [
      { run, language, trained, step: 0, relative: 1 },
      { run, language, trained, step: c.step, relative: last },
    ];
    for (const [language, x] of Object.entries(c.retained)) points.push(...ends(language, false, x[field]));
    // The trained language's ratio is an improvement (before / after): its curve is the inverse.
    points.push(...ends(c.trained.language, true, 1 / c.trained[field]));
  }
  return points;
}

function stripRegion(r: z.infer<typeof rawRegion>): RegionEntry {
  return { kind: r.kind, fraction: r.fraction, languages: r.languages, entries: r.entries, weights: r.weights, seed: r.seed, sha256: r.sha256, description: r.description };
}

function issueText(error: z.ZodError): string {
  const issue = firstIssue(error, undefined);
  return `${issue.field || '(record)'}: ${issue.message}`;
}

const rawBackend = z.looseObject({ name: z.string(), device: z.string() });

/** The backend a record says it measured on (`subject.backend` or `backend`: { name, device }), or null. */
export function backendOf(raw: unknown): { name: string; device: string } | null {
  const r = raw as { subject?: { backend?: unknown }; backend?: unknown } | null;
  const parsed = rawBackend.safeParse(r?.subject?.backend ?? r?.backend);
  return parsed.success ? { name: parsed.data.name, device: parsed.data.device } : null;
}

/** A record read: its matcher and finding, the assertion, and any report extras of its regions by hash. */
export interface ReadRecord {
  matcher: string;
  finding: string;
  assertion: AssertionEntry;
  regionData: Results['regionData'];
}

/** Reads one record. @returns the record, or `{ problem }` naming the field at fault. */
export function readRecord(raw: unknown): ReadRecord | { problem: string } {
  const parsed = rawRecord.safeParse(raw);
  if (!parsed.success) return { problem: issueText(parsed.error) };
  const r = parsed.data;
  const regionData: Results['regionData'] = {};
  for (const region of Object.values(r.regions)) {
    if (region.fingerprint === undefined && region.layout === undefined) continue;
    regionData[region.sha256] = { ...(region.fingerprint && { fingerprint: region.fingerprint }), ...(region.layout && { layout: region.layout }) };
  }
  return { matcher: r.matcher, finding: r.finding, assertion: assertionOf(r), regionData };
}

function assertionOf(r: RawRecord): AssertionEntry {
  const negated = r.negated ?? r.isNot ?? false;
  const holds = r.holds ?? (r.passed ?? r.pass ?? false) !== negated;
  return {
    passed: r.passed ?? r.pass ?? holds !== negated,
    negated,
    holds,
    claim: r.claim,
    failures: r.failures,
    successes: r.successes,
    thresholds: r.thresholds,
    seeds: r.seeds,
    checkpoint: r.subject === undefined ? null : { dir: r.subject.dir, hash: r.subject.hash, label: r.subject.label },
    regions: Object.fromEntries(Object.entries(r.regions).map(([name, region]) => [name, stripRegion(region)])),
    tables: r.tables,
    effects: normalizeEffects(r),
    curves: r.finding === 'frozenPretrain' ? normalizeCurves(r) : [],
    measured: r.measured,
  };
}
