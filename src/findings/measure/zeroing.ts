/**
 * Finding 1, the core linguistic region: zeroing the region raises perplexity by at least `minRatio` in
 * EVERY language, while zeroing a control of the same size raises it by at most `controlMaxRatio` in
 * every language. Both conditions are part of the finding: a region whose removal hurts no more than a
 * random one of its size is not a linguistic region, however much it hurts.
 */
import { zeroRegion } from '../../perturb/zero-region.js';
import type { Region } from '../../regions/types.js';
import type { CheckpointSubject } from '../../subject/subject.js';
import { EFFECT_COLUMNS, effectRow, formatInterval, lowerOf, measureEffects, upperOf, type AssertOn, type LanguageEffect } from './effects.js';
import { formatPpl, formatRatio, mark } from './format.js';
import { controlRegion, summarizeRegion, type ControlArgument } from './regions.js';
import { subjectRecord, type FindingResult, type RegionSummary } from './result.js';
import { atLeast, atMost } from './threshold.js';

/** Settings of {@link measureZeroing}. */
export interface ZeroingSettings {
  languages: readonly string[];
  minRatio: number;
  /** Null: no control (only the region's own effect is checked). */
  control: ControlArgument | null;
  controlMaxRatio: number;
  /** Seed of the first `random` control; the others take the next seeds. */
  seed: number;
  /** How many `random` controls (a distribution of seeded regions of the same size; a bottom or given control is one). */
  controlCount: number;
  /** Whether the thresholds read the ratios or their 95% intervals (lower end for minRatio, upper for controlMaxRatio). */
  assertOn: AssertOn;
}

function worst(effects: readonly LanguageEffect[], pick: 'min' | 'max'): LanguageEffect {
  return effects.reduce((a, b) => ((pick === 'min' ? b.ratio < a.ratio : b.ratio > a.ratio) ? b : a));
}

/** One control region's effects; `seed` null for a bottom or given control. */
export interface ControlEffects {
  seed: number | null;
  effects: LanguageEffect[];
}

/** What zeroing measured: the perplexity ratio per language of the region, and of each control (none without one). */
export type ZeroingMeasured = {
  effects: LanguageEffect[];
  controls: ControlEffects[];
};

/**
 * Zeroes the region and its controls on the subject and checks them against the thresholds: the region must
 * raise perplexity ≥ minRatio in every language, and every control (a random control is `controlCount` seeded
 * regions: a distribution, not one draw) must keep it ≤ controlMaxRatio in every language.
 */
export async function measureZeroing(subject: CheckpointSubject, region: Region, s: ZeroingSettings): Promise<FindingResult<ZeroingMeasured>> {
  const regionSummary = summarizeRegion(region);
  const effects = await measureEffects(subject, zeroRegion(region), s.languages);
  const count = s.control === 'random' ? s.controlCount : 1;
  const controlRegions = s.control === null ? [] : await Promise.all(Array.from({ length: count }, (_, i) => controlRegion(subject, region, s.control!, s.seed + i)));
  const controls: ControlEffects[] = [];
  for (const c of controlRegions) controls.push({ seed: c.seed, effects: await measureEffects(subject, zeroRegion(c), s.languages) });
  const kind = controlRegions[0]?.kind;

  const failures: string[] = [];
  const successes: string[] = [];
  // On the interval: "at least" reads its lower end, "at most" its upper end; the messages show both.
  const onInterval = s.assertOn === 'interval';
  const which = onInterval ? ' on the 95% interval' : '';
  const seedNote = (seed: number | null) => (controls.length > 1 && seed !== null ? `, seed ${seed}` : '');
  const shown = (e: LanguageEffect, seed: number | null = null) => `${e.language} (${formatRatio(e.ratio)}${onInterval ? `, 95% ${formatInterval(e.ci95)}` : ''}${seedNote(seed)})`;
  const named = (e: LanguageEffect, seed: number | null = null) => `${e.language} ${formatRatio(e.ratio)}${onInterval ? ` (95% ${formatInterval(e.ci95)})` : ''}${seedNote(seed)}`;
  const meetsMin = (e: LanguageEffect) => atLeast(lowerOf(e, s.assertOn), s.minRatio);
  const meetsMax = (e: LanguageEffect) => atMost(upperOf(e, s.assertOn), s.controlMaxRatio);
  const low = effects.filter((e) => !meetsMin(e));
  if (low.length > 0) {
    failures.push(`zeroing the region raised perplexity by less than ${formatRatio(s.minRatio)}${which} in ${low.map((e) => shown(e)).join(', ')}`);
  } else {
    const w = worst(effects, 'min');
    successes.push(`zeroing the region raised perplexity by at least ${formatRatio(s.minRatio)}${which} in every language (least: ${named(w)})`);
  }
  if (controls.length > 0) {
    // Per language, the control that moved it most (what the threshold reads).
    const worstPer = s.languages.map((_, j) => controls.map((c) => ({ e: c.effects[j]!, seed: c.seed })).reduce((a, b) => (upperOf(b.e, s.assertOn) > upperOf(a.e, s.assertOn) || !Number.isFinite(upperOf(b.e, s.assertOn)) ? b : a)));
    const high = worstPer.filter(({ e }) => !meetsMax(e));
    const which2 = controls.length === 1 ? `the ${kind} control` : `${controls.length} ${kind} controls (seeds ${controls[0]!.seed}–${controls.at(-1)!.seed})`;
    if (high.length > 0) {
      const over = controls.filter((c) => c.effects.some((e) => !meetsMax(e))).length;
      const some = controls.length === 1 ? which2 : `${over} of ${which2}`;
      failures.push(`zeroing ${some} raised perplexity above ${formatRatio(s.controlMaxRatio)}${which} in ${high.map(({ e, seed }) => shown(e, seed)).join(', ')}`);
    } else {
      const w = worstPer.reduce((a, b) => (b.e.ratio > a.e.ratio ? b : a));
      successes.push(`zeroing ${controls.length === 1 ? which2 : `each of ${which2}`} kept perplexity within ${formatRatio(s.controlMaxRatio)}${which} in every language (most: ${named(w.e, w.seed)})`);
    }
  }

  const bound = (sign: string, x: number) => `${onInterval ? 'interval ' : ''}${sign} ${formatRatio(x)}`;
  const tables = [
    {
      title: `region: ${regionSummary.description}`,
      columns: EFFECT_COLUMNS,
      rows: effects.map((e) => effectRow(e, bound('≥', s.minRatio), meetsMin(e))),
    },
  ];
  const controlSummaries = controlRegions.map(summarizeRegion);
  if (controls.length === 1) {
    tables.push({
      title: `control: ${controlSummaries[0]!.description}${controls[0]!.seed === null ? '' : `, seed ${controls[0]!.seed}`}`,
      columns: EFFECT_COLUMNS,
      rows: controls[0]!.effects.map((e) => effectRow(e, bound('≤', s.controlMaxRatio), meetsMax(e))),
    });
  } else if (controls.length > 1) {
    // One column per control's ratio (its interval where the threshold reads it), as finding 2's control dims.
    tables.push({
      title: `controls: ${controls.length} ${kind} regions of the same size (${controlSummaries[0]!.entries} entries each), seeds ${controls[0]!.seed}–${controls.at(-1)!.seed}`,
      columns: ['language', 'baseline ppl', ...controls.map((c) => `seed ${c.seed}`), 'threshold', ''],
      rows: s.languages.map((language, j) => {
        const row = controls.map((c) => c.effects[j]!);
        const cell = (e: LanguageEffect) => (onInterval ? `${formatRatio(e.ratio)} (${formatInterval(e.ci95)})` : formatRatio(e.ratio));
        return [language, formatPpl(row[0]!.baseline), ...row.map(cell), bound('≤', s.controlMaxRatio), mark(row.every(meetsMax))];
      }),
    });
  }
  const controlClaim =
    controls.length === 0
      ? ''
      : controls.length === 1
        ? `, while zeroing a ${kind} control of the same size keeps it within ${formatRatio(s.controlMaxRatio)}`
        : `, while zeroing each of ${controls.length} ${kind} controls of the same size keeps it within ${formatRatio(s.controlMaxRatio)}`;
  const regions: Record<string, RegionSummary> = { region: regionSummary };
  controlSummaries.forEach((c, i) => (regions[i === 0 ? 'control' : `control ${i + 1}`] = c));
  return {
    finding: 'coreRegion',
    holds: failures.length === 0,
    claim: `zeroing the ${region.kind} region (${regionSummary.entries} entries) raises perplexity by at least ${formatRatio(s.minRatio)} in every language${controlClaim}${onInterval ? ' (each on its 95% interval)' : ''}`,
    subject: subjectRecord(subject),
    tables,
    failures,
    successes,
    thresholds: { minRatio: s.minRatio, controlMaxRatio: s.controlMaxRatio, control: kind ?? null, controlCount: controls.length, assertOn: s.assertOn },
    seeds: controls[0] !== undefined && controls[0].seed !== null ? { control: controls[0].seed } : {},
    regions,
    measured: { effects, controls },
  };
}
