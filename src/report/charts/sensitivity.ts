/**
 * Finding 2, the single-parameter test: the perplexity ratio per language when one parameter is scaled
 * on the dim under test and on each control dim, with the thresholds drawn across (the paper: ×44 on
 * LLaMA-2-13B's dim 2100 against its dim 4200).
 */
import type { TopLevelSpec } from 'vega-lite';
import { COLORS } from '../internals/palette.js';
import type { AssertionEntry } from '../results.js';

/**
 * The dot plot of a dimension-sensitivity finding — every dim its assertions perturbed (a property runs
 * over several), dims under test first — or null when none recorded per-dim numbers. Thresholds from
 * `thresholds` (the shown assertion's).
 */
export function sensitivityChart(assertions: readonly AssertionEntry[], thresholds: Record<string, unknown>): TopLevelSpec | null {
  const byKey = new Map<string, { dim: string; order: number; role: string; language: string; ratio: number }>();
  for (const e of assertions.flatMap((a) => a.effects)) {
    if (e.dim === undefined || e.ratio === null || !(e.ratio > 0)) continue;
    const role = e.role === 'region' ? 'dim under test' : 'control dim';
    byKey.set(`${e.dim} ${role} ${e.language}`, { dim: `dim ${e.dim}`, order: (e.role === 'region' ? 0 : 1e9) + e.dim, role, language: e.language, ratio: e.ratio });
  }
  const points = [...byKey.values()].sort((a, b) => a.order - b.order);
  if (points.length === 0) return null;
  const dims = [...new Set(points.map((p) => p.dim))];
  const rules = [
    ...(typeof thresholds.minRatio === 'number' ? [{ ratio: thresholds.minRatio, rule: `at least ×${thresholds.minRatio}` }] : []),
    ...(typeof thresholds.controlMaxRatio === 'number' ? [{ ratio: thresholds.controlMaxRatio, rule: `controls at most ×${thresholds.controlMaxRatio}` }] : []),
  ];
  const y = { field: 'ratio', type: 'quantitative' as const, title: 'perplexity ratio (perturbed / baseline)', scale: { type: 'log' as const } };
  return {
    title: { text: 'Dimension sensitivity', subtitle: 'one parameter scaled at each dim; a dot per language, a tick at the median' },
    width: Math.max(240, dims.length * 70),
    height: 220,
    layer: [
      {
        data: { values: points },
        mark: { type: 'point', filled: true, opacity: 0.7, size: 40 },
        encoding: {
          x: { field: 'dim', type: 'nominal', sort: dims, title: null, axis: { labelAngle: 0 } },
          y,
          color: { field: 'role', type: 'nominal', scale: { domain: ['dim under test', 'control dim'], range: [COLORS.region, COLORS.control] }, legend: { orient: 'top', title: null } },
        },
      },
      {
        data: { values: points },
        mark: { type: 'tick', thickness: 2, size: 28, color: '#333' },
        encoding: { x: { field: 'dim', type: 'nominal', sort: dims }, y: { ...y, aggregate: 'median' } },
      },
      ...(rules.length === 0
        ? []
        : [
            {
              data: { values: rules },
              mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#666' },
              encoding: { y: { field: 'ratio', type: 'quantitative' as const } },
            },
            {
              data: { values: rules },
              mark: { type: 'text' as const, align: 'left' as const, dx: 4, dy: -6, x: 0, fontSize: 10, color: '#444' },
              encoding: { y: { field: 'ratio', type: 'quantitative' as const }, text: { field: 'rule', type: 'nominal' as const } },
            },
          ]),
    ],
  };
}
