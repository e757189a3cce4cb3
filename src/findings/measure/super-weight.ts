/**
 * The super weight (Yu et al., 2024), the single-parameter form of the paper's finding 2: one scalar of an
 * early layer's `mlp.down_proj.weight`, found from one forward pass by the spike it leaves in that
 * down_proj's input (the column) and output (the row), whose zeroing wrecks every language — while zeroing a
 * random entry of the same tensor does not. Three conditions, each its own line and table:
 *
 * 1. the detector finds a candidate: some layer's down_proj output spike is ≥ `minSpike` × its median dim
 *    (skipped when the coordinate is given);
 * 2. zeroing the weight raises perplexity ≥ `minRatio` (in every language, or the median);
 * 3. zeroing each of `controlCount` seeded random entries of the same tensor keeps it ≤ `controlMaxRatio`
 *    in every language.
 *
 * Without a candidate, the strongest spike's coordinate is still zeroed and reported (condition 1 fails),
 * so the record says what the closest thing to a super weight does on this checkpoint.
 */
import type { DownProjProfile } from '../../detect/activations.js';
import { layerWeight } from '../../checkpoint/names.js';
import type { SuperWeights } from '../../detect/activations.js';
import { matchKnownSuperWeight } from '../../detect/known.js';
import { setParameter } from '../../perturb/parameter.js';
import { describe, parsePerturbation } from '../../perturb/perturbation.js';
import { zeroRegion } from '../../perturb/zero-region.js';
import { parameterRegion } from '../../regions/parameters.js';
import { mulberry32 } from '../../util/random.js';
import { seedFor, unitsInterval } from '../../metrics/bootstrap.js';
import type { CheckpointSubject } from '../../subject/subject.js';
import { EFFECT_COLUMNS, effectRow, formatInterval, measureEffects, medianOf, medianRatio, nonFiniteNote, ratiosInterval, type LanguageEffect } from './effects.js';
import { formatPpl, formatRatio, mark } from './format.js';
import { summarizeRegion } from './regions.js';
import { subjectRecord, type FindingResult } from './result.js';
import { atLeast, atMost, geSign } from './threshold.js';

/** `model.layers.<layer>.mlp.down_proj.weight[row][col]`. */
export interface SuperWeightCoordinate {
  layer: number;
  row: number;
  col: number;
}

/** Settings of {@link measureSuperWeight}. */
export interface SuperWeightSettings {
  /** The coordinate to test; null: the detector's strongest candidate (else its strongest spike). */
  at: SuperWeightCoordinate | null;
  languages: readonly string[];
  /** The detector's criterion: the output spike ÷ the median dim's maximum (Yu et al.'s one-pass search). */
  minSpike: number;
  minRatio: number;
  aggregate: 'every' | 'median';
  controlCount: number;
  controlMaxRatio: number;
  seed: number;
}

const downProj = (layer: number) => layerWeight(layer, 'down_proj');
const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));

/** `count` distinct [row, col] of a rows × cols matrix other than `exclude`, seeded (row-major order). */
export function randomEntries(rows: number, cols: number, exclude: { row: number; col: number }, count: number, seed: number): { row: number; col: number }[] {
  const n = rows * cols;
  const skip = exclude.row * cols + exclude.col;
  const want = Math.min(count, n - 1);
  const rng = mulberry32(seed);
  const picked = new Set<number>();
  while (picked.size < want) {
    const i = Math.floor(rng() * n);
    if (i !== skip) picked.add(i);
  }
  return [...picked].sort((a, b) => a - b).map((i) => ({ row: Math.floor(i / cols), col: i % cols }));
}

/**
 * The 95% interval of each layer's output spike ratio over the probe's windows: the windows resampled, the spike dim's
 * largest |output| re-taken on each draw, the median dim's maximum held at its value on the whole probe (each dim's
 * maximum can only fall on a draw, so holding it leaves the lower end lower: conservative for "at least"). The upper
 * end is the estimate. Null for a profile cached without its windows' outputs.
 */
export function spikeIntervals(found: SuperWeights, options: { resamples: number; seed: number }): ([number, number] | null)[] {
  return found.layers.map((l) => {
    const outputs = (l as Partial<typeof l>).windowOutputs;
    const median = l.output.value / l.outputRatio;
    if (outputs === undefined || outputs.length === 0 || !(median > 0)) return null;
    return unitsInterval(outputs, (drawn) => drawn.reduce((m, x) => Math.max(m, x), 0) / median, { ...options, seed: seedFor(options.seed, 'super-weight', String(l.layer)) });
  });
}

/** The coordinate to test and whether the detector called it a candidate. */
function pick(found: SuperWeights, s: SuperWeightSettings): { at: SuperWeightCoordinate; candidate: boolean } {
  if (s.at !== null) return { at: s.at, candidate: found.candidates.some((c) => c.layer === s.at!.layer && c.row === s.at!.row && c.col === s.at!.col) };
  const passing = found.layers.filter((l) => atLeast(l.outputRatio, s.minSpike));
  const pool = passing.length > 0 ? passing : found.layers;
  const best = pool.reduce((a, b) => (b.outputRatio > a.outputRatio ? b : a));
  return { at: { layer: best.layer, row: best.output.dim, col: best.input.channel }, candidate: passing.length > 0 };
}

/** The coordinate tested and why, the detector's spikes, the effect per language of zeroing it, and the random controls'. */
export type SuperWeightMeasured = {
  coordinate: SuperWeightCoordinate;
  /** Whether the detector found it (false: its strongest spike, tested anyway). */
  candidate: boolean;
  weight: number;
  known: { model: string; source: string } | null;
  spikes: DownProjProfile[];
  /** Each layer's spike ratio's 95% interval over the probe's windows (see {@link spikeIntervals}). */
  spikeCi95: ([number, number] | null)[];
  probe: { windows: number; tokens: number };
  effects: LanguageEffect[];
  median: number;
  /** The median's 95% interval (each language's windows resampled, as its own interval's). */
  medianCi95: [number, number] | null;
  controls: { row: number; col: number; weight: number; effects: LanguageEffect[] }[];
};

export async function measureSuperWeight(subject: CheckpointSubject, s: SuperWeightSettings): Promise<FindingResult<SuperWeightMeasured>> {
  const found = await subject.superWeights();
  const { at, candidate } = pick(found, s);
  const tensor = downProj(at.layer);
  const shape = subject.model.weightShape(tensor);
  const region = parameterRegion([{ tensor, row: at.row, col: at.col }], (t) => subject.model.weightShape(t), 'super-weight', {
    detector: 'down_proj input/output spikes (Yu et al. 2024)',
    coordinate: `(${at.layer}, ${at.row}, ${at.col})`,
  });
  const values = await subject.model.readWeight(tensor);
  const weight = values[at.row * shape[1]! + at.col]!;
  const known = matchKnownSuperWeight(subject.config, at);
  const effects = await measureEffects(subject, zeroRegion(region), s.languages);
  const controls: { row: number; col: number; weight: number; effects: LanguageEffect[] }[] = [];
  for (const e of randomEntries(shape[0]!, shape[1]!, at, s.controlCount, s.seed)) {
    const p = setParameter({ tensor, index: [e.row, e.col], value: 0 });
    controls.push({ ...e, weight: values[e.row * shape[1]! + e.col]!, effects: await measureEffects(subject, p, s.languages) });
  }

  const failures: string[] = [];
  const successes: string[] = [];
  const spikeCi95 = spikeIntervals(found, { resamples: subject.options.bootstrapResamples, seed: subject.options.seed ?? 0 });
  const layerIndex = found.layers.findIndex((l) => l.layer === at.layer);
  const layerOf = found.layers[layerIndex]!;
  const spikeCi = spikeCi95[layerIndex] ?? null;
  const spikeLine = `layer ${at.layer}'s down_proj output spikes ${formatRatio(layerOf.outputRatio)}${spikeCi === null ? '' : ` (95%: ${formatInterval(spikeCi)})`} its median dim (dim ${layerOf.output.dim} ← channel ${layerOf.input.channel})`;
  if (s.at === null) {
    if (candidate) successes.push(`the detector finds a super-weight candidate (${at.layer}, ${at.row}, ${at.col}): ${spikeLine} (≥ ${formatRatio(s.minSpike)})`);
    else failures.push(`the detector finds no super-weight candidate: the strongest spike, ${spikeLine}, is below ${formatRatio(s.minSpike)}`);
  }
  const ratios = effects.map((e) => e.ratio);
  const med = medianRatio(effects);
  const medianCi95 = await ratiosInterval(subject, zeroRegion(region), s.languages, medianOf);
  if (s.aggregate === 'median') {
    (atLeast(med, s.minRatio) ? successes : failures).push(`zeroing the weight moves the median language's perplexity ${formatRatio(med)} (95%: ${formatInterval(medianCi95)}; ${geSign(med, s.minRatio)} ${formatRatio(s.minRatio)})${nonFiniteNote(effects)}`);
  } else {
    const low = effects.filter((e) => !atLeast(e.ratio, s.minRatio));
    if (low.length > 0) failures.push(`zeroing the weight raised perplexity by less than ${formatRatio(s.minRatio)} in ${low.map((e) => `${e.language} (${formatRatio(e.ratio)})`).join(', ')}`);
    else successes.push(`zeroing the weight raised perplexity by at least ${formatRatio(s.minRatio)} in every language (least: ${formatRatio(Math.min(...ratios))})`);
  }
  const over = controls.flatMap((c) => c.effects.filter((e) => !atMost(e.ratio, s.controlMaxRatio)).map((e) => `[${c.row}, ${c.col}] in ${e.language} (${formatRatio(e.ratio)})`));
  if (over.length > 0) failures.push(`zeroing a random entry of the same tensor raised perplexity above ${formatRatio(s.controlMaxRatio)}: ${over.join(', ')}`);
  else successes.push(`zeroing each of ${controls.length} random entries of ${tensor} kept perplexity within ${formatRatio(s.controlMaxRatio)} in every language`);

  const detectorRows = found.layers.map((l, i) => {
    const ok = atLeast(l.outputRatio, s.minSpike);
    return [String(l.layer), `${fmt(l.input.value)} @ ${l.input.channel}`, `${fmt(l.output.value)} @ ${l.output.dim}`, formatRatio(l.outputRatio), formatInterval(spikeCi95[i] ?? null), `≥ ${formatRatio(s.minSpike)}`, mark(ok)];
  });
  const perLanguage = s.aggregate === 'every';
  const targetRows = effects.map((e) => effectRow(e, `≥ ${formatRatio(s.minRatio)}`, perLanguage ? atLeast(e.ratio, s.minRatio) : null));
  if (!perLanguage) targetRows.push(['median', '', '', formatRatio(med), formatInterval(medianCi95), `≥ ${formatRatio(s.minRatio)}`, mark(atLeast(med, s.minRatio))]);
  const controlRows = effects.map((e, i) => {
    const rs = controls.map((c) => c.effects[i]!.ratio);
    return [e.language, formatPpl(e.baseline), ...rs.map(formatRatio), `≤ ${formatRatio(s.controlMaxRatio)}`, mark(rs.every((r) => atMost(r, s.controlMaxRatio)))];
  });
  const coordinate = `(${at.layer}, ${at.row}, ${at.col})`;
  const knownText = known === null ? '' : ` — matches ${known.source}'s ${known.model}`;
  const regionSummary = summarizeRegion(region);
  return {
    finding: 'superWeight',
    holds: failures.length === 0,
    claim:
      `${s.at === null ? `the detector finds a super weight (a down_proj output spike ≥ ${formatRatio(s.minSpike)} its median dim) and ` : ''}` +
      `zeroing ${tensor}[${at.row}][${at.col}] raises perplexity by at least ${formatRatio(s.minRatio)} (${perLanguage ? 'every language' : 'median language'}), ` +
      `while zeroing ${s.controlCount} random entries of the same tensor keeps it within ${formatRatio(s.controlMaxRatio)}`,
    subject: subjectRecord(subject),
    tables: [
      { title: `down_proj spikes per layer (probe: ${found.windows} windows, ${found.tokens} tokens)`, columns: ['layer', 'input max @ channel', 'output max @ dim', 'output ÷ median dim', '95% interval', 'threshold', ''], rows: detectorRows },
      { title: `${candidate ? 'super weight' : 'strongest spike (no candidate)'} ${coordinate} = ${weight.toPrecision(4)}${knownText}: ${describe(parsePerturbation(zeroRegion(region)))}`, columns: EFFECT_COLUMNS, rows: targetRows },
      { title: `random entries of ${tensor} zeroed (ratio per entry)`, columns: ['language', 'baseline ppl', ...controls.map((c) => `[${c.row}, ${c.col}]`), 'threshold', ''], rows: controlRows },
    ],
    failures,
    successes,
    thresholds: { minSpike: s.minSpike, minRatio: s.minRatio, aggregate: s.aggregate, controlCount: s.controlCount, controlMaxRatio: s.controlMaxRatio },
    seeds: { controlEntries: s.seed },
    regions: { region: regionSummary },
    measured: {
      coordinate: at,
      candidate,
      weight,
      known: known === null ? null : { model: known.model, source: known.source },
      spikes: found.layers,
      spikeCi95,
      probe: { windows: found.windows, tokens: found.tokens },
      effects,
      median: med,
      medianCi95,
      controls: controls.map((c) => ({ row: c.row, col: c.col, weight: c.weight, effects: c.effects })),
    },
  };
}
