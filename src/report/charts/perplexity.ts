/**
 * Finding 1 as a picture: per language, perplexity of the checkpoint as is, with the core region zeroed,
 * and with the same-size control zeroed — grouped bars on a log scale (the paper's core region raises
 * perplexity by orders of magnitude, the control barely moves it). Each perturbed bar carries its ratio's 95%
 * interval as an error bar (baseline × the interval's ends); a condition of several seeded controls (a
 * distribution) is drawn as one bar at their median, its error bar their range (lowest to highest control).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { AssertionEntry } from '../results.js';
import { COLORS } from '../internals/palette.js';
import { median } from '../../util/stats.js';

/** Ticks for a log axis from `floor` to `max`: powers of ten, finer steps when the range spans few decades. */
function logTicks(floor: number, max: number): number[] {
  const decades = Math.log10(max / floor);
  const steps = decades >= 2 ? [1] : decades >= 1 ? [1, 2, 5] : [1, 1.5, 2, 3, 4, 5, 7];
  const ticks: number[] = [];
  for (let decade = floor; decade <= max; decade *= 10) for (const m of steps) if (decade * m <= max) ticks.push(decade * m);
  return ticks;
}

/** The grouped-bar spec of an assertion's per-language perplexities, or null when it recorded none. */
export function perplexityChart(assertion: AssertionEntry): TopLevelSpec | null {
  const effects = assertion.effects.filter((e) => e.dim === undefined);
  if (effects.length === 0) return null;
  const languages = [...new Set(effects.map((e) => e.language))];
  const conditions = ['baseline', ...new Set(effects.map((e) => e.condition))];
  type Bar = { language: string; condition: string; ppl: number; lo?: number; hi?: number };
  const finite = effects.filter((e) => e.perturbed !== null && Number.isFinite(e.perturbed));
  const bars: Bar[] = [];
  for (const language of languages) {
    for (const condition of conditions.slice(1)) {
      const of = finite.filter((e) => e.language === language && e.condition === condition);
      if (of.length === 1) {
        const e = of[0]!;
        bars.push({ language, condition, ppl: e.perturbed!, ...(e.ci95 !== null && { lo: e.baseline * e.ci95[0], hi: e.baseline * e.ci95[1] }) });
      } else if (of.length > 1) {
        const ppl = of.map((e) => e.perturbed!);
        bars.push({ language, condition, ppl: median(ppl), lo: Math.min(...ppl), hi: Math.max(...ppl) });
      }
    }
  }
  const values: Bar[] = [
    ...languages.map((language) => ({ language, condition: 'baseline', ppl: effects.find((e) => e.language === language)!.baseline })),
    ...bars,
  ].filter((v) => v.ppl > 0);
  const seeded = conditions.filter((c) => new Set(effects.filter((e) => e.condition === c && e.seed !== undefined).map((e) => e.seed)).size > 1);
  if (values.length === 0) return null;
  const ends = values.flatMap((v) => (v.lo !== undefined && v.hi !== undefined && v.lo > 0 ? [v.lo, v.hi] : []));
  const max = Math.max(...values.map((v) => v.ppl), ...ends);
  const low = Math.floor(Math.log10(Math.min(...values.map((v) => v.ppl), ...ends)));
  const floor = 10 ** low;
  const ticks = logTicks(floor, max);
  const long = languages.some((l) => l.length > 4);
  const range = conditions.map((c) => (c === 'baseline' ? COLORS.baseline : effects.find((e) => e.condition === c)!.role === 'region' ? COLORS.region : COLORS.control));
  return {
    title: {
      text: 'Perplexity per language',
      subtitle: `${conditions.join(' vs ')} (log scale); error bars: 95% intervals${seeded.length > 0 ? `, and for ${seeded.join(', ')} the range of its seeded controls (bar: their median)` : ''}`,
    },
    width: Math.max(320, languages.length * conditions.length * 10),
    height: 220,
    data: { values },
    encoding: {
      x: { field: 'language', type: 'nominal', sort: languages, title: null, axis: { labelAngle: long ? -35 : 0, labelLimit: 140 } },
      xOffset: { field: 'condition', type: 'nominal', sort: conditions },
    },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'ppl', type: 'quantitative', title: 'perplexity', scale: { type: 'log', domainMin: floor }, axis: { values: ticks, format: '~s' } },
          y2: { datum: floor },
          color: { field: 'condition', type: 'nominal', sort: conditions, scale: { domain: conditions, range }, legend: { orient: 'top', title: null } },
        },
      },
      {
        // The 95% interval of each perturbed bar (none on the baseline, none where it could not be computed).
        transform: [{ filter: 'isValid(datum.lo) && datum.lo > 0' }],
        mark: { type: 'rule', color: COLORS.ink, strokeWidth: 1.5 },
        encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
      },
    ],
  };
}
