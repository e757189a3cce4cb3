/**
 * Finding 3, monolingual regions: zeroing language L's monolingual region (L's top-k minus the other
 * region languages' top-k) hurts L far more than the others.
 *
 * Selectivity is measured in log-ratio, i.e. in nats of mean NLL added:
 *
 *     selectivity = ln(ratio_L) / max(ln(median ratio of the other languages), ln 1.01)
 *
 * so ×e⁶ for L against ×e² for the median other language is 3. The floor ln 1.01 keeps a region that
 * leaves the others untouched (or improves them) from dividing by ~0: against others at ×1.00, L needs
 * ×1.01^minSelectivity — and L must also rise by `minRatio` on its own, so a tiny effect never passes.
 */
import type { LanguageEffect } from './effects.js';
import { zeroRegion } from '../../perturb/zero-region.js';
import type { CheckpointSubject } from '../../subject/subject.js';
import { EFFECT_COLUMNS, effectRow, measureEffects, medianOf, medianRatio, nonFiniteNote, ratiosInterval } from './effects.js';
import { formatRatio } from './format.js';
import { summarizeRegion } from './regions.js';
import { subjectRecord, type FindingResult } from './result.js';
import { atLeast, geSign } from './threshold.js';

/** The floor of the denominator of selectivity: ln 1.01 (others moved by under 1% count as 1%). */
export const SELECTIVITY_FLOOR = Math.log(1.01);

/** Settings of {@link measureMonolingual}. */
export interface MonolingualSettings {
  /** L: whose monolingual region is removed. */
  language: string;
  fraction: number;
  /** Languages measured; L is added if missing, and at least one other is needed. */
  languages: readonly string[];
  minRatio: number;
  minSelectivity: number;
  /**
   * Which region of L: `gradient` (default), the paper's — L's top-k by |θ⊙∇L| minus the other region
   * languages' top-k; or `neurons`, the whole FFN neurons a forward-only detector assigns to L (LAPE).
   */
  source?: 'gradient' | 'neurons';
}

/** "2.10–3.85", or "n/a" where the interval could not be computed. */
const formatSelectivity = (ci: [number, number] | null): string => (ci === null ? 'n/a' : `${ci[0].toFixed(2)}–${ci[1].toFixed(2)}`);

/** ln(ratio_L) / max(ln(median of the others), {@link SELECTIVITY_FLOOR}). */
export function selectivity(ownRatio: number, othersMedian: number): number {
  return Math.log(ownRatio) / Math.max(Math.log(othersMedian), SELECTIVITY_FLOOR);
}

/** Zeroes L's monolingual region and compares L's rise with the other languages'. */
/** What removing L's region measured: the effect per language, the others' median, and the selectivity (log-ratio). */
export type MonolingualMeasured = {
  language: string;
  effects: LanguageEffect[];
  othersMedian: number;
  selectivity: number;
  /** The selectivity's 95% interval: every language's windows resampled (as its own ratio's interval), the statistic recomputed. */
  selectivityCi95: [number, number] | null;
};

export async function measureMonolingual(subject: CheckpointSubject, s: MonolingualSettings): Promise<FindingResult<MonolingualMeasured>> {
  const languages = [s.language, ...s.languages.filter((l) => l !== s.language)];
  if (languages.length < 2) throw new Error(`toHaveMonolingualRegion("${s.language}"): measure at least one other language to compare with`);
  const region = s.source === 'neurons' ? await subject.languageNeuronRegion(s.language) : await subject.monolingualRegion(s.language, s.fraction);
  const summary = summarizeRegion(region);
  const effects = await measureEffects(subject, zeroRegion(region), languages);
  const own = effects[0]!;
  const others = effects.slice(1);
  const othersMedian = medianRatio(others);
  const sel = selectivity(own.ratio, othersMedian);
  const selectivityCi95 = await ratiosInterval(subject, zeroRegion(region), languages, ([ownRatio, ...rest]) => selectivity(ownRatio!, medianOf(rest)));

  const failures: string[] = [];
  const successes: string[] = [];
  if (summary.entries === 0) {
    failures.push(
      s.source === 'neurons'
        ? `no language neuron of ${s.language}: LAPE assigned none of its selected neurons to it`
        : `the monolingual region of ${s.language} is empty: its top-k lies entirely inside the other languages' top-k`,
    );
  }
  (atLeast(own.ratio, s.minRatio) ? successes : failures).push(
    `${s.language}'s perplexity rose ${formatRatio(own.ratio)} (${geSign(own.ratio, s.minRatio)} ${formatRatio(s.minRatio)})`,
  );
  (atLeast(sel, s.minSelectivity) ? successes : failures).push(
    `selectivity ln(${formatRatio(own.ratio)}) / ln(${formatRatio(othersMedian)} median of ${others.length} other language${others.length === 1 ? '' : 's'}) = ${sel.toFixed(2)} (95%: ${formatSelectivity(selectivityCi95)}; ${geSign(sel, s.minSelectivity)} ${s.minSelectivity})${nonFiniteNote(others)}`,
  );

  const rows = [
    effectRow(own, `≥ ${formatRatio(s.minRatio)}`, atLeast(own.ratio, s.minRatio)),
    ...others.map((e) => effectRow(e, '', null)),
    ['others (median)', '', '', formatRatio(othersMedian), '', '', ''],
    ['selectivity', '', '', sel.toFixed(2), formatSelectivity(selectivityCi95), `≥ ${s.minSelectivity}`, atLeast(sel, s.minSelectivity) ? '✓' : '✗'],
  ];
  return {
    finding: 'monolingual',
    holds: failures.length === 0,
    claim: `zeroing the ${s.source === 'neurons' ? 'language neurons (LAPE)' : 'monolingual region'} of ${s.language} raises its perplexity by at least ${formatRatio(s.minRatio)}, with selectivity (log-ratio against the median other language) at least ${s.minSelectivity}`,
    subject: subjectRecord(subject),
    tables: [{ title: `region: ${summary.description}`, columns: EFFECT_COLUMNS, rows }],
    failures,
    successes,
    thresholds: { fraction: s.fraction, minRatio: s.minRatio, minSelectivity: s.minSelectivity, ...(s.source === 'neurons' && { source: 'neurons' }) },
    seeds: {},
    regions: { region: summary },
    measured: { language: s.language, effects, othersMedian, selectivity: sel, selectivityCi95 },
  };
}
