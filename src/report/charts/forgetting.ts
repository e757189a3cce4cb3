/**
 * Finding 4: perplexity during further pre-training on one language, relative to the original model,
 * with nothing frozen (solid) and with the core region frozen (dashed) — the retained languages should
 * rise less when frozen while the trained language still falls.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { AssertionEntry } from '../results.js';

/** The line chart of a frozen-pretrain assertion's curves, or null when it recorded none. */
export function forgettingChart(assertion: AssertionEntry): TopLevelSpec | null {
  if (assertion.curves.length === 0) return null;
  const values = assertion.curves.map((p) => ({ ...p, language: p.trained ? `${p.language} (trained)` : p.language }));
  const runs = [...new Set(values.map((p) => p.run))];
  const trained = values.find((p) => p.trained)?.language;
  const x = { field: 'step', type: 'quantitative' as const, title: 'optimizer step' };
  const y = { field: 'relative', type: 'quantitative' as const, title: 'ppl / ppl at step 0', scale: { zero: false } };
  const color = { field: 'language', type: 'nominal' as const, title: 'language', scale: { scheme: 'tableau10' } };
  return {
    title: { text: 'Forgetting during further pre-training', subtitle: `perplexity relative to step 0${trained === undefined ? '' : `; trained on ${trained.replace(' (trained)', '')}`}` },
    width: 360,
    height: 220,
    layer: [
      {
        data: { values },
        mark: { type: 'line' },
        encoding: {
          x,
          y,
          color,
          strokeDash: { field: 'run', type: 'nominal', title: 'run', sort: runs, legend: { symbolType: 'stroke', symbolStrokeColor: '#555', symbolStrokeWidth: 2, symbolSize: 300 } },
          detail: { field: 'run', type: 'nominal' },
        },
      },
      // Points in their own layer: `point: true` on the line would fill the strokeDash legend's symbols.
      { data: { values }, mark: { type: 'point', filled: true }, encoding: { x, y, color } },
      { data: { values: [{ one: 1 }] }, mark: { type: 'rule', color: '#999', strokeDash: [2, 2] }, encoding: { y: { field: 'one', type: 'quantitative' } } },
    ],
  };
}
