/**
 * Finding 2, dimensional dependence: ONE parameter scaled ×factor at (layer, dim) raises perplexity by at
 * least `minRatio` — in the median language or in every language (`aggregate`) — while the same at each
 * control dim raises it by at most `controlMaxRatio` in every language. Which parameter is a setting
 * (`target`, see dims/sensitivity.ts), or any perturbation built per dim.
 */
import { sensitivityPerturbation, type SensitivityTarget } from '../../dims/sensitivity.js';
import { describe, parsePerturbation, type PerturbationInput } from '../../perturb/perturbation.js';
import { mulberry32 } from '../../util/random.js';
import type { CheckpointSubject } from '../../subject/subject.js';
import { EFFECT_COLUMNS, effectRow, formatInterval, measureEffects, medianOf, medianRatio, nonFiniteNote, ratiosInterval, type LanguageEffect } from './effects.js';
import { formatPpl, formatRatio, mark } from './format.js';
import { subjectRecord, type FindingResult } from './result.js';
import { atLeast, atMost, geSign } from './threshold.js';

/** Settings of {@link measureDimension}. */
export interface DimensionSettings {
  layer: number;
  dim: number;
  target: SensitivityTarget;
  factor: number;
  /** Overrides target/factor: the perturbation to apply at a dim (the same function is used for the controls). */
  perturbation?: (dim: number) => PerturbationInput;
  languages: readonly string[];
  minRatio: number;
  aggregate: 'median' | 'every';
  /** Control dims, or `random`: `controlCount` distinct dims other than `dim`, drawn with `seed`. */
  controlDims: readonly number[] | 'random';
  controlCount: number;
  controlMaxRatio: number;
  seed: number;
}

/** `count` distinct dims of [0, hidden) other than `exclude`, drawn with a seeded generator, sorted. */
export function randomControlDims(hidden: number, exclude: number, count: number, seed: number): number[] {
  const pool = Array.from({ length: hidden }, (_, d) => d).filter((d) => d !== exclude);
  const rng = mulberry32(seed);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, Math.min(count, pool.length)).sort((a, b) => a - b);
}

/** Perturbs (layer, dim) and each control dim, and checks the effects against the thresholds. */
/** What the perturbation at a dim measured: the effect per language, their median, and each control dim's effects. */
export type DimensionMeasured = {
  dim: number;
  /** describe() of the perturbation at `dim`. */
  perturbation: string;
  effects: LanguageEffect[];
  median: number;
  /** The median's 95% interval (each language's windows resampled, as its own interval's). */
  medianCi95: [number, number] | null;
  controls: { dim: number; effects: LanguageEffect[] }[];
};

export async function measureDimension(subject: CheckpointSubject, s: DimensionSettings): Promise<FindingResult<DimensionMeasured>> {
  const hidden = subject.config.hiddenSize;
  const perturbationAt = s.perturbation ?? ((dim: number) => sensitivityPerturbation(s.layer, dim, s.target, s.factor));
  const controlDims = s.controlDims === 'random' ? randomControlDims(hidden, s.dim, s.controlCount, s.seed) : [...s.controlDims];
  if (controlDims.includes(s.dim)) throw new Error(`controlDims [${controlDims.join(', ')}] include the dim under test (${s.dim})`);

  const target = perturbationAt(s.dim);
  const effects = await measureEffects(subject, target, s.languages);
  const controls: { dim: number; description: string; effects: LanguageEffect[] }[] = [];
  for (const dim of controlDims) {
    const p = perturbationAt(dim);
    controls.push({ dim, description: describe(parsePerturbation(p)), effects: await measureEffects(subject, p, s.languages) });
  }

  const failures: string[] = [];
  const successes: string[] = [];
  const med = medianRatio(effects);
  const medianCi95 = await ratiosInterval(subject, target, s.languages, medianOf);
  if (s.aggregate === 'median') {
    (atLeast(med, s.minRatio) ? successes : failures).push(
      `the median ratio over ${effects.length} languages is ${formatRatio(med)} (95%: ${formatInterval(medianCi95)}; ${geSign(med, s.minRatio)} ${formatRatio(s.minRatio)})${nonFiniteNote(effects)}`,
    );
  } else {
    const low = effects.filter((e) => !atLeast(e.ratio, s.minRatio));
    if (low.length > 0) failures.push(`the perturbation raised perplexity by less than ${formatRatio(s.minRatio)} in ${low.map((e) => `${e.language} (${formatRatio(e.ratio)})`).join(', ')}`);
    else successes.push(`the perturbation raised perplexity by at least ${formatRatio(s.minRatio)} in every language`);
  }
  const over = controls.flatMap((c) => c.effects.filter((e) => !atMost(e.ratio, s.controlMaxRatio)).map((e) => `dim ${c.dim} in ${e.language} (${formatRatio(e.ratio)})`));
  if (over.length > 0) failures.push(`a control dim raised perplexity above ${formatRatio(s.controlMaxRatio)}: ${over.join(', ')}`);
  else successes.push(`every control dim (${controlDims.join(', ')}) kept perplexity within ${formatRatio(s.controlMaxRatio)} in every language`);

  const perLanguageOk = s.aggregate === 'every';
  const targetRows = effects.map((e) => effectRow(e, `≥ ${formatRatio(s.minRatio)}`, perLanguageOk ? atLeast(e.ratio, s.minRatio) : null));
  if (s.aggregate === 'median') targetRows.push(['median', '', '', formatRatio(med), formatInterval(medianCi95), `≥ ${formatRatio(s.minRatio)}`, mark(atLeast(med, s.minRatio))]);
  const controlRows = effects.map((e, i) => {
    const rs = controls.map((c) => c.effects[i]!.ratio);
    return [e.language, formatPpl(e.baseline), ...rs.map(formatRatio), `≤ ${formatRatio(s.controlMaxRatio)}`, mark(rs.every((r) => atMost(r, s.controlMaxRatio)))];
  });
  const description = describe(parsePerturbation(target));
  const sample = controls[0]?.description ?? '';
  return {
    finding: 'dimensionSensitivity',
    holds: failures.length === 0,
    claim:
      `${description} raises perplexity by at least ${formatRatio(s.minRatio)} (${s.aggregate === 'median' ? 'median language' : 'every language'}), ` +
      `while the same on control dims ${controlDims.join(', ')} keeps it within ${formatRatio(s.controlMaxRatio)}`,
    subject: subjectRecord(subject),
    tables: [
      { title: `dim ${s.dim}: ${description}`, columns: EFFECT_COLUMNS, rows: targetRows },
      {
        title: `control dims (ratio per dim), e.g. ${sample}`,
        columns: ['language', 'baseline ppl', ...controls.map((c) => `dim ${c.dim}`), 'threshold', ''],
        rows: controlRows,
      },
    ],
    failures,
    successes,
    thresholds: { minRatio: s.minRatio, aggregate: s.aggregate, controlMaxRatio: s.controlMaxRatio, factor: s.factor, target: s.target, layer: s.layer },
    seeds: s.controlDims === 'random' ? { controlDims: s.seed } : {},
    regions: {},
    measured: { dim: s.dim, perturbation: description, effects, median: med, medianCi95, controls: controls.map((c) => ({ dim: c.dim, effects: c.effects })) },
  };
}
