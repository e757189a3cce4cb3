/**
 * Finding 3 across languages: rows are the language whose monolingual region was zeroed, columns the
 * languages measured, cells the perplexity ratio. A selective region is a dark diagonal on a pale table.
 */
import type { TopLevelSpec } from 'vega-lite';
import { formatRatio } from '../../findings/measure/format.js';
import { COLORS } from '../internals/palette.js';
import type { FindingEntry } from '../results.js';

/** The matrix of every monolingual assertion's ratios (the last per cell), or null when there are none. */
export function monolingualChart(findings: readonly FindingEntry[]): TopLevelSpec | null {
  const byCell = new Map<string, { removed: string; measured: string; ratio: number; label: string }>();
  for (const a of findings.filter((f) => f.finding === 'monolingual').flatMap((f) => f.assertions)) {
    if (typeof a.measured.language !== 'string') continue;
    for (const e of a.effects) {
      if (e.ratio === null || !(e.ratio > 0)) continue;
      byCell.set(`${a.measured.language}\0${e.language}`, { removed: a.measured.language, measured: e.language, ratio: e.ratio, label: formatRatio(e.ratio) });
    }
  }
  const cells = [...byCell.values()];
  if (cells.length === 0) return null;
  const removed = [...new Set(cells.map((c) => c.removed))];
  const measured = [...new Set([...removed.filter((l) => cells.some((c) => c.measured === l)), ...cells.map((c) => c.measured)])];
  const max = Math.max(...cells.map((c) => c.ratio));
  return {
    title: { text: 'Monolingual regions', subtitle: 'perplexity ratio when the row language’s monolingual region is zeroed' },
    width: Math.max(200, measured.length * 44),
    height: Math.max(60, removed.length * 28),
    data: { values: cells },
    encoding: {
      x: { field: 'measured', type: 'nominal', sort: measured, title: 'language measured', axis: { orient: 'top', labelAngle: 0 } },
      y: { field: 'removed', type: 'nominal', sort: removed, title: 'region removed' },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white' },
        encoding: { color: { field: 'ratio', type: 'quantitative', title: 'ratio', scale: { type: 'log', scheme: COLORS.heat, domainMin: 1, domainMax: Math.max(2, max), clamp: true } } },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'label', type: 'nominal' },
          color: { condition: { test: `datum.ratio > ${Math.sqrt(Math.max(2, max))}`, value: 'white' }, value: '#222' },
        },
      },
    ],
  };
}
