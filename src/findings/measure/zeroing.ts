/**
 * Finding 1, the core linguistic region: zeroing the region raises perplexity by at least `minRatio` in
 * EVERY language, while zeroing a control of the same size raises it by at most `controlMaxRatio` in
 * every language. Both conditions are part of the finding: a region whose removal hurts no more than a
 * random one of its size is not a linguistic region, however much it hurts.
 */
import { zeroRegion } from '../../perturb/zero-region.js';
import type { Region } from '../../regions/types.js';
import type { CheckpointSubject } from '../../subject/subject.js';
import { EFFECT_COLUMNS, effectRow, measureEffects, type LanguageEffect } from './effects.js';
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
  const low = effects.filter((e) => !atLeast(e.ratio, s.minRatio));
  if (low.length > 0) {
    failures.push(`zeroing the region raised perplexity by less than ${formatRatio(s.minRatio)} in ${low.map((e) => `${e.language} (${formatRatio(e.ratio)})`).join(', ')}`);
  } else {
    const w = worst(effects, 'min');
    successes.push(`zeroing the region raised perplexity by at least ${formatRatio(s.minRatio)} in every language (least: ${w.language} ${formatRatio(w.ratio)})`);
  }
  if (control !== null) {
    const high = controlEffects.filter((e) => !atMost(e.ratio, s.controlMaxRatio));
    if (high.length > 0) {
      failures.push(`zeroing the ${control.kind} control raised perplexity above ${formatRatio(s.controlMaxRatio)} in ${high.map((e) => `${e.language} (${formatRatio(e.ratio)})`).join(', ')}`);
    } else {
      const w = worst(controlEffects, 'max');
      successes.push(`zeroing the ${control.kind} control kept perplexity within ${formatRatio(s.controlMaxRatio)} in every language (most: ${w.language} ${formatRatio(w.ratio)})`);
    }
  }

  const tables = [
    {
      title: `region: ${regionSummary.description}`,
      columns: EFFECT_COLUMNS,
      rows: effects.map((e) => effectRow(e, `≥ ${formatRatio(s.minRatio)}`, atLeast(e.ratio, s.minRatio))),
    },
  ];
  const controlSummary = control === null ? null : summarizeRegion(control);
  if (controlSummary !== null) {
    tables.push({
      title: `control: ${controlSummary.description}${control!.seed === null ? '' : `, seed ${control!.seed}`}`,
      columns: EFFECT_COLUMNS,
      rows: controlEffects.map((e) => effectRow(e, `≤ ${formatRatio(s.controlMaxRatio)}`, atMost(e.ratio, s.controlMaxRatio))),
    });
  }
  const controlClaim = control === null ? '' : `, while zeroing a ${control.kind} control of the same size keeps it within ${formatRatio(s.controlMaxRatio)}`;
  return {
    finding: 'coreRegion',
    holds: failures.length === 0,
    claim: `zeroing the ${region.kind} region (${regionSummary.entries} entries) raises perplexity by at least ${formatRatio(s.minRatio)} in every language${controlClaim}`,
    subject: subjectRecord(subject),
    tables,
    failures,
    successes,
    thresholds: { minRatio: s.minRatio, controlMaxRatio: s.controlMaxRatio, control: control?.kind ?? null },
    seeds: control !== null && control.seed !== null ? { control: control.seed } : {},
    regions: controlSummary === null ? { region: regionSummary } : { region: regionSummary, control: controlSummary },
    measured: { effects, controlEffects },
  };
}
