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
import type { CheckpointSubject } from '../../subject/subject.js';
import { measureDimension, type DimensionSettings } from './dimension.js';
import { formatRatio, mark } from './format.js';
import type { FindingResult } from './result.js';
import { atLeast } from './threshold.js';

/** Settings of {@link measureMassiveActivation}: the criterion, and finding 2's settings but the dim. */
export interface MassiveSettings {
  minValue: number;
  minRatio: number;
  dimension: Omit<DimensionSettings, 'dim'>;
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));
const layerName = (l: number) => (l < 0 ? 'embed' : String(l));

/** The profile, per layer, as the report draws it (plain JSON). */
export function massiveProfile(found: MassiveActivations) {
  return found.layers.map((l) => ({ layer: l.layer, median: l.median, top: l.top[0]?.value ?? 0, dim: l.top[0]?.dim ?? -1, kind: l.top[0]?.kind ?? 'other', ratio: l.ratio }));
}

/** The dim perturbation's numbers, with the massive activations found, the per-layer profile the report draws, and the probe. */
export type MassiveMeasured = DimensionMeasured & {
  massive: { dim: number; layer: number; value: number; ratio: number; kind: PositionKind }[];
  profile: ReturnType<typeof massiveProfile>;
  probe: { windows: number; tokens: number };
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

  const strongest = found.layers.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const criterion = `above ${s.minValue} and ≥ ${formatRatio(s.minRatio)} its layer's median |h|`;
  const shown = massive.find((m) => m.dim === dim) ?? massive[0];
  const detection =
    shown !== undefined
      ? { ok: true, line: `dim ${shown.dim} carries a massive activation: ${fmt(shown.value)} after layer ${layerName(shown.layer)}, ${formatRatio(shown.ratio)} the median (${criterion})${massive.length > 1 ? `; ${massive.length} in all` : ''}` }
      : { ok: false, line: `no massive activation: the largest, ${fmt(strongest.top[0]!.value)} on dim ${strongest.top[0]!.dim} after layer ${layerName(strongest.layer)}, is ${formatRatio(strongest.ratio)} its layer's median (needs ${criterion}); dim ${dim}, the largest entering layer ${s.dimension.layer}, is perturbed instead` };
  const rows = found.layers.map((l) => [
    layerName(l.layer),
    l.median.toPrecision(3),
    l.top.map((p) => `${fmt(p.value)} @ ${p.dim} (${p.kind})`).join(', '),
    formatRatio(l.ratio),
    `> ${s.minValue}, ≥ ${formatRatio(s.minRatio)}`,
    mark(meets(l.top[0]!.value, l.ratio)),
  ]);
  return {
    ...perturbed,
    finding: 'massiveActivation',
    holds: detection.ok && perturbed.holds,
    claim: `a residual dim carries a massive activation (${criterion}), and ${perturbed.claim}`,
    tables: [{ title: `residual stream per layer (probe: ${found.windows} windows, ${found.tokens} tokens)`, columns: ['layer', 'median |h|', 'top |h| @ dim (position)', 'top ÷ median', 'criterion', ''], rows }, ...perturbed.tables],
    failures: [...(detection.ok ? [] : [detection.line]), ...perturbed.failures],
    successes: [...(detection.ok ? [detection.line] : []), ...perturbed.successes],
    thresholds: { ...perturbed.thresholds, minValue: s.minValue, minTopToMedian: s.minRatio, minRatio: perturbed.thresholds.minRatio },
    measured: { ...perturbed.measured, massive: massive.map((m) => ({ dim: m.dim, layer: m.layer, value: m.value, ratio: m.ratio, kind: m.kind })), profile: massiveProfile(found), probe: { windows: found.windows, tokens: found.tokens } },
  };
}
