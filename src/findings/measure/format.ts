import type { ResultTable } from './result.js';
import { formatTable, type Column } from '../../util/table.js';

/** A perplexity with 4 significant digits ("1.410", "257.7", "5858"); exponent form from 10⁴ up ("3.69e+5"). */
export function formatPpl(ppl: number): string {
  if (!Number.isFinite(ppl)) return String(ppl);
  return ppl >= 1e4 ? ppl.toExponential(2) : ppl.toPrecision(4);
}

/** A ratio as "×1.72", "×44.0"; exponent form from 10⁴ up and under 0.01 ("×1.23e+4", "×2.62e-5"). */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return `×${ratio}`;
  return `×${ratio >= 1e4 || (ratio > 0 && ratio < 1e-2) ? ratio.toExponential(2) : ratio.toPrecision(3)}`;
}

/** A share such as forgetting prevented: "0.83", "-0.12". */
export function formatShare(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(2);
}

export const mark = (ok: boolean): string => (ok ? '✓' : '✗');

/** "1%", "0.5%". */
export function formatPercent(f: number): string {
  return `${Number((f * 100).toPrecision(3))}%`;
}

/**
 * A table as aligned text: a title line, a header, a rule, the rows; cells separated by " | ". The first
 * column is left-aligned, the others right-aligned (numbers), the last (✓/✗) as is.
 */
export function renderTable(table: ResultTable, indent = '  '): string {
  const columns = table.columns.map((header, j): Column => ({ header, align: j === 0 ? 'left' : 'right' }));
  return formatTable(columns, table.rows, { look: 'pipes', title: table.title, indent });
}
