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
import { formatRatio } from './format.js';
import { controlRegion, summarizeRegion, type ControlArgument } from './regions.js';
import { subjectRecord, type FindingResult } from './result.js';
import { atLeast, atMost } from './threshold.js';

/** Settings of {@link measureZeroing}. */
export interface ZeroingSettings {
  languages: readonly string[];
  minRatio: number;
  /** Null: no control (only the region's own effect is checked). */
  control: ControlArgument | null;
  controlMaxRatio: number;
  /** Seed of a `random` control. */
  seed: number;
  /** Whether the thresholds read the ratios or their 95% intervals (lower end for minRatio, upper for controlMaxRatio). */
  assertOn: AssertOn;
}

function worst(effects: readonly LanguageEffect[], pick: 'min' | 'max'): LanguageEffect {
  return effects.reduce((a, b) => ((pick === 'min' ? b.ratio < a.ratio : b.ratio > a.ratio) ? b : a));
}

/** Zeroes the region and its control on the subject and checks both against the thresholds. */
/** What zeroing measured: the perplexity ratio per language of the region, and of its control (empty without one). */
export type ZeroingMeasured = {
  effects: LanguageEffect[];
  controlEffects: LanguageEffect[];
};

export async function measureZeroing(subject: CheckpointSubject, region: Region, s: ZeroingSettings): Promise<FindingResult<ZeroingMeasured>> {
  const regionSummary = summarizeRegion(region);
  const effects = await measureEffects(subject, zeroRegion(region), s.languages);
  const control = s.control === null ? null : await controlRegion(subject, region, s.control, s.seed);
  const controlEffects = control === null ? [] : await measureEffects(subject, zeroRegion(control), s.languages);

  const failures: string[] = [];
  const successes: string[] = [];
  // On the interval: "at least" reads its lower end, "at most" its upper end; the messages show both.
  const onInterval = s.assertOn === 'interval';
  const shown = (e: LanguageEffect) => `${e.language} (${formatRatio(e.ratio)}${onInterval ? `, 95% ${formatInterval(e.ci95)}` : ''})`;
  const named = (e: LanguageEffect) => `${e.language} ${formatRatio(e.ratio)}${onInterval ? ` (95% ${formatInterval(e.ci95)})` : ''}`;
  const which = onInterval ? ' on the 95% interval' : '';
  const meetsMin = (e: LanguageEffect) => atLeast(lowerOf(e, s.assertOn), s.minRatio);
  const meetsMax = (e: LanguageEffect) => atMost(upperOf(e, s.assertOn), s.controlMaxRatio);
  const low = effects.filter((e) => !meetsMin(e));
  if (low.length > 0) {
    failures.push(`zeroing the region raised perplexity by less than ${formatRatio(s.minRatio)}${which} in ${low.map(shown).join(', ')}`);
  } else {
    const w = worst(effects, 'min');
    successes.push(`zeroing the region raised perplexity by at least ${formatRatio(s.minRatio)}${which} in every language (least: ${named(w)})`);
  }
  if (control !== null) {
    const high = controlEffects.filter((e) => !meetsMax(e));
    if (high.length > 0) {
      failures.push(`zeroing the ${control.kind} control raised perplexity above ${formatRatio(s.controlMaxRatio)}${which} in ${high.map(shown).join(', ')}`);
    } else {
      const w = worst(controlEffects, 'max');
      successes.push(`zeroing the ${control.kind} control kept perplexity within ${formatRatio(s.controlMaxRatio)}${which} in every language (most: ${named(w)})`);
    }
  }

  const tables = [
    {
      title: `region: ${regionSummary.description}`,
      columns: EFFECT_COLUMNS,
      rows: effects.map((e) => effectRow(e, `${onInterval ? 'interval ' : ''}≥ ${formatRatio(s.minRatio)}`, meetsMin(e))),
    },
  ];
  const controlSummary = control === null ? null : summarizeRegion(control);
  if (controlSummary !== null) {
    tables.push({
      title: `control: ${controlSummary.description}${control!.seed === null ? '' : `, seed ${control!.seed}`}`,
      columns: EFFECT_COLUMNS,
      rows: controlEffects.map((e) => effectRow(e, `${onInterval ? 'interval ' : ''}≤ ${formatRatio(s.controlMaxRatio)}`, meetsMax(e))),
    });
  }
  const controlClaim = control === null ? '' : `, while zeroing a ${control.kind} control of the same size keeps it within ${formatRatio(s.controlMaxRatio)}`;
  return {
    finding: 'coreRegion',
    holds: failures.length === 0,
    claim: `zeroing the ${region.kind} region (${regionSummary.entries} entries) raises perplexity by at least ${formatRatio(s.minRatio)} in every language${controlClaim}${onInterval ? ' (each on its 95% interval)' : ''}`,
    subject: subjectRecord(subject),
    tables,
    failures,
    successes,
    thresholds: { minRatio: s.minRatio, controlMaxRatio: s.controlMaxRatio, control: control?.kind ?? null, assertOn: s.assertOn },
    seeds: control !== null && control.seed !== null ? { control: control.seed } : {},
    regions: controlSummary === null ? { region: regionSummary } : { region: regionSummary, control: controlSummary },
    measured: { effects, controlEffects },
  };
}
