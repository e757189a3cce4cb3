/**
 * Massive activations (Sun et al., COLM 2024), the activation form of the paper's finding 2: a residual
 * dimension whose largest |activation| is above `minValue` and ≥ `minRatio` × the layer's median |h| — and
 * the paper's ×factor on the one parameter at that dim destroys competence, at random dims not. Two parts:
 *
 * 1. the detector's criterion on the probe (per layer: the largest |h|, where, and ÷ the median);
 * 2. finding 2's measurement (./dimension.ts) at the dim: a massive dim of the residual stream the perturbed
 *    layer reads, else the largest massive dim, else — reported, with condition 1 failing — the largest dim
 *    entering the perturbed layer.
 */
import type { DimensionMeasured } from './dimension.js';
import type { PositionKind } from '../../detect/activations.js';
import type { MassiveActivations } from '../../detect/activations.js';
import { seedFor, unitsInterval } from '../../metrics/bootstrap.js';
import type { CheckpointSubject } from '../../subject/subject.js';
import { measureDimension, type DimensionSettings } from './dimension.js';
import { meanAblation, zeroAblation } from '../../dims/mean-ablation.js';
import { POSITIONS_IN_WORDS, residualSiteName, type EditPositions } from '../../model/residual-edit.js';
import { formatInterval, measureEffects, medianOf, medianRatio, ratiosInterval, type LanguageEffect } from './effects.js';
import { formatPpl, formatRatio, mark } from './format.js';
import type { FindingResult, ResultTable } from './result.js';
import { atLeast, atMost, geSign } from './threshold.js';

/** Settings of {@link measureMassiveActivation}: the criterion, and finding 2's settings but the dim. */
export interface MassiveSettings {
  minValue: number;
  minRatio: number;
  dimension: Omit<DimensionSettings, 'dim'>;
  /**
   * Sun et al.'s control, asserted: the activation set to its mean keeps the median language's perplexity within
   * ×maxMeanRatio, set to zero raises it at least ×minZeroRatio. Null: measured and reported, not asserted.
   */
  ablation: { maxMeanRatio: number; minZeroRatio: number } | null;
}

/** Sun et al.'s control at the dim: where the activation was set, to what, and what each setting did. */
export interface AblationMeasured {
  /** The residual stream after this layer (−1: the embedding), the dim, and the positions set. */
  layer: number;
  dim: number;
  positions: EditPositions;
  /** The dim's mean over the probe at those positions. */
  mean: number;
  meanEffects: LanguageEffect[];
  zeroEffects: LanguageEffect[];
  meanMedian: number;
  zeroMedian: number;
  /** The medians' 95% intervals (each language's windows resampled). */
  meanMedianCi95: [number, number] | null;
  zeroMedianCi95: [number, number] | null;
}

/**
 * Mean- and zero-ablation of the activation at (layer, dim) over `positions`, per language: Sun et al.'s control —
 * a massive activation the model relies on as a bias keeps perplexity when set to its mean and loses it at zero.
 */
async function measureAblation(subject: CheckpointSubject, at: { layer: number; dim: number; positions: EditPositions }, languages: readonly string[]): Promise<AblationMeasured> {
  const mean = meanAblation(await subject.residualMeans(), at);
  const zero = zeroAblation(at);
  const meanEffects = await measureEffects(subject, mean, languages);
  const zeroEffects = await measureEffects(subject, zero, languages);
  return {
    ...at,
    mean: mean.value,
    meanEffects,
    zeroEffects,
    meanMedian: medianRatio(meanEffects),
    zeroMedian: medianRatio(zeroEffects),
    meanMedianCi95: await ratiosInterval(subject, mean, languages, medianOf),
    zeroMedianCi95: await ratiosInterval(subject, zero, languages, medianOf),
  };
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));
const layerName = (l: number) => (l < 0 ? 'embed' : String(l));

/** The profile, per layer, as the report draws it (plain JSON), with each layer's ratio's interval where given. */
export function massiveProfile(found: MassiveActivations, ratioCi95?: readonly ([number, number] | null)[]) {
  return found.layers.map((l, i) => ({
    layer: l.layer,
    median: l.median,
    top: l.top[0]?.value ?? 0,
    dim: l.top[0]?.dim ?? -1,
    kind: l.top[0]?.kind ?? 'other',
    ratio: l.ratio,
    ratioCi95: ratioCi95?.[i] ?? null,
  }));
}

/**
 * The 95% interval of each layer's top ÷ median over the probe's windows: the windows resampled, the top dim's peak
 * re-taken on each draw, the median (over every activation of the probe: hundreds of thousands) held at its value.
 * The upper end is the estimate (a resampled maximum never exceeds it); the lower end is how far the peak falls
 * without the windows that carry it. Null for a profile cached without its windows' peaks.
 */
export function peakRatioIntervals(found: MassiveActivations, options: { resamples: number; seed: number }): ([number, number] | null)[] {
  return found.layers.map((l) => {
    const peaks = (l as Partial<typeof l>).windowPeaks;
    if (peaks === undefined || peaks.length === 0 || !(l.median > 0)) return null;
    return unitsInterval(peaks, (drawn) => drawn.reduce((m, x) => Math.max(m, x), 0) / l.median, { ...options, seed: seedFor(options.seed, 'massive', String(l.layer)) });
  });
}

/** The dim perturbation's numbers, with the massive activations found, the per-layer profile the report draws, and the probe. */
export type MassiveMeasured = DimensionMeasured & {
  massive: { dim: number; layer: number; value: number; ratio: number; kind: PositionKind }[];
  profile: ReturnType<typeof massiveProfile>;
  probe: { windows: number; tokens: number };
  ablation: AblationMeasured;
};

export async function measureMassiveActivation(subject: CheckpointSubject, s: MassiveSettings): Promise<FindingResult<MassiveMeasured>> {
  const found = await subject.massiveActivations();
  const meets = (value: number, ratio: number) => value > s.minValue && atLeast(ratio, s.minRatio);
  const massive = found.layers.flatMap((l) => l.top.filter((p) => meets(p.value, p.value / l.median)).map((p) => ({ ...p, layer: l.layer, ratio: p.value / l.median })));
  massive.sort((a, b) => b.value - a.value);
  // The dim perturbed: a massive one in the residual stream the perturbed layer reads (profile layer − 1), else
  // the largest massive one anywhere, else (no massive activation) the largest entering the layer.
  const entering = found.layers.find((l) => l.layer === s.dimension.layer - 1);
  if (entering === undefined) throw new RangeError(`dimensionSensitivity.layer ${s.dimension.layer} is not a decoder layer of this model (0–${found.layers.length - 2})`);
  const dim = (massive.find((m) => m.layer === entering.layer) ?? massive[0])?.dim ?? entering.top[0]!.dim;
  const perturbed = await measureDimension(subject, { ...s.dimension, dim });

  // Sun et al.'s control where the activation sits: its layer, and its kind of position (the first, or the rest).
  const site = massive.find((m) => m.dim === dim) ?? { layer: entering.layer, kind: entering.top[0]!.kind };
  const ablation = await measureAblation(subject, { layer: site.layer, dim, positions: ablatedPositions(found, site, dim, meets) }, s.dimension.languages);
  const control = ablationCheck(ablation, s.ablation);

  const cis = peakRatioIntervals(found, { resamples: subject.options.bootstrapResamples, seed: subject.options.seed ?? 0 });
  /** " (95%: ×a–×b)" for a layer's top dim; '' for another dim or where there is no interval. */
  const ciOf = (layer: number, dim: number) => {
    const i = found.layers.findIndex((l) => l.layer === layer);
    return found.layers[i]?.top[0]?.dim === dim && cis[i] != null ? ` (95%: ${formatInterval(cis[i]!)})` : '';
  };
  const strongest = found.layers.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const criterion = `above ${s.minValue} and ≥ ${formatRatio(s.minRatio)} its layer's median |h|`;
  const shown = massive.find((m) => m.dim === dim) ?? massive[0];
  const detection =
    shown !== undefined
      ? { ok: true, line: `dim ${shown.dim} carries a massive activation: ${fmt(shown.value)} after layer ${layerName(shown.layer)}, ${formatRatio(shown.ratio)}${ciOf(shown.layer, shown.dim)} the median (${criterion})${massive.length > 1 ? `; ${massive.length} in all` : ''}` }
      : { ok: false, line: `no massive activation: the largest, ${fmt(strongest.top[0]!.value)} on dim ${strongest.top[0]!.dim} after layer ${layerName(strongest.layer)}, is ${formatRatio(strongest.ratio)}${ciOf(strongest.layer, strongest.top[0]!.dim)} its layer's median (needs ${criterion}); dim ${dim}, the largest entering layer ${s.dimension.layer}, is perturbed instead` };
  const rows = found.layers.map((l, i) => [
    layerName(l.layer),
    l.median.toPrecision(3),
    l.top.map((p) => `${fmt(p.value)} @ ${p.dim} (${p.kind})`).join(', '),
    formatRatio(l.ratio),
    formatInterval(cis[i] ?? null),
    `> ${s.minValue}, ≥ ${formatRatio(s.minRatio)}`,
    mark(meets(l.top[0]!.value, l.ratio)),
  ]);
  return {
    ...perturbed,
    finding: 'massiveActivation',
    holds: detection.ok && perturbed.holds && control.failures.length === 0,
    claim: `a residual dim carries a massive activation (${criterion}), and ${perturbed.claim}${s.ablation === null ? '' : `, and ${control.claim}`}`,
    tables: [
      { title: `residual stream per layer (probe: ${found.windows} windows, ${found.tokens} tokens)`, columns: ['layer', 'median |h|', 'top |h| @ dim (position)', 'top ÷ median', '95% interval', 'criterion', ''], rows },
      ...perturbed.tables,
      ablationTable(ablation, s.ablation),
    ],
    failures: [...(detection.ok ? [] : [detection.line]), ...perturbed.failures, ...control.failures],
    successes: [...(detection.ok ? [detection.line] : []), ...perturbed.successes, ...control.successes],
    thresholds: {
      ...perturbed.thresholds,
      minValue: s.minValue,
      minTopToMedian: s.minRatio,
      minRatio: perturbed.thresholds.minRatio,
      ...(s.ablation !== null && { maxMeanAblationRatio: s.ablation.maxMeanRatio, minZeroAblationRatio: s.ablation.minZeroRatio }),
    },
    measured: {
      ...perturbed.measured,
      massive: massive.map((m) => ({ dim: m.dim, layer: m.layer, value: m.value, ratio: m.ratio, kind: m.kind })),
      profile: massiveProfile(found, cis),
      probe: { windows: found.windows, tokens: found.tokens },
      ablation,
    },
  };
}


/**
 * Where the activation is set: at the first position, the others, or all — wherever the dim meets the criterion in
 * its layer (its largest |h| at each kind of position, from the profile); where it meets it nowhere (no massive
 * activation), at the kind of position its peak is.
 */
function ablatedPositions(found: MassiveActivations, site: { layer: number; kind: PositionKind }, dim: number, meets: (value: number, ratio: number) => boolean): EditPositions {
  const layer = found.layers.find((l) => l.layer === site.layer)!;
  const at = (kind: PositionKind) => {
    const peak = layer.byKind[kind];
    return peak !== null && peak.dim === dim && meets(peak.value, peak.value / layer.median);
  };
  const first = at('first');
  const rest = at('other') || at('delimiter');
  if (first || rest) return first && rest ? 'all' : first ? 'first' : 'rest';
  return site.kind === 'first' ? 'first' : 'rest';
}

/** The control's conditions where asserted (none where `t` is null: the numbers are reported only). */
function ablationCheck(a: AblationMeasured, t: MassiveSettings['ablation']): { claim: string; failures: string[]; successes: string[] } {
  const failures: string[] = [];
  const successes: string[] = [];
  const claim = t === null ? '' : `its activation set to its mean keeps perplexity within ${formatRatio(t.maxMeanRatio)} while set to zero it rises ≥ ${formatRatio(t.minZeroRatio)} (Sun et al.'s control)`;
  if (t !== null) {
    const where = `dim ${a.dim} after ${residualSiteName(a.layer)} at ${POSITIONS_IN_WORDS[a.positions]}`;
    (atMost(a.meanMedian, t.maxMeanRatio) ? successes : failures).push(`set to its mean (${fmt(a.mean)}), ${where} moves the median language ${formatRatio(a.meanMedian)} (95%: ${formatInterval(a.meanMedianCi95)}; ${atMost(a.meanMedian, t.maxMeanRatio) ? '≤' : '>'} ${formatRatio(t.maxMeanRatio)})`);
    (atLeast(a.zeroMedian, t.minZeroRatio) ? successes : failures).push(`set to zero, ${where} moves the median language ${formatRatio(a.zeroMedian)} (95%: ${formatInterval(a.zeroMedianCi95)}; ${geSign(a.zeroMedian, t.minZeroRatio)} ${formatRatio(t.minZeroRatio)})`);
  }
  return { claim, failures, successes };
}

/** Per language: the baseline, and the ratio with the activation set to its mean and to zero. */
function ablationTable(a: AblationMeasured, t: MassiveSettings['ablation']): ResultTable {
  const title = `Sun et al.'s control: dim ${a.dim} after ${residualSiteName(a.layer)} at ${POSITIONS_IN_WORDS[a.positions]} set to its probe mean (${fmt(a.mean)}) and to zero${t === null ? ' (reported, not asserted)' : ''}`;
  const rows = a.meanEffects.map((m, i) => {
    const z = a.zeroEffects[i]!;
    return [m.language, formatPpl(m.baseline), formatRatio(m.ratio), formatInterval(m.ci95), formatRatio(z.ratio), formatInterval(z.ci95)];
  });
  rows.push(['median', '', formatRatio(a.meanMedian), formatInterval(a.meanMedianCi95), formatRatio(a.zeroMedian), formatInterval(a.zeroMedianCi95)]);
  if (t !== null) rows.push(['threshold', '', `≤ ${formatRatio(t.maxMeanRatio)}`, mark(atMost(a.meanMedian, t.maxMeanRatio)), `≥ ${formatRatio(t.minZeroRatio)}`, mark(atLeast(a.zeroMedian, t.minZeroRatio))]);
  return { title, columns: ['language', 'baseline ppl', 'mean', '95% interval', 'zero', '95% interval'], rows };
}

