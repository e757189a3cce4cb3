/**
 * Where a region sits in each weight — its entries per row and per column, the counts behind the paper's
 * figures in which whole rows of o_proj/down_proj light up (dimensional dependence) — binned so that
 * results.json and the heatmap stay small on LLaMA-size matrices.
 */
import { parseWeightName } from '../checkpoint/names.js';
import { hiddenAxis } from '../perturb/hidden-axis.js';
import type { Region } from '../regions/types.js';
import type { RegionLayout } from './schemas.js';

/** Bins per axis (a 4096-wide axis becomes 64 bins of 64 rows). */
export const LAYOUT_BINS = 64;

/** Max-pools `counts` into at most `bins` bins. */
function bin(counts: Uint32Array, bins: number): RegionLayout['tensors'][number]['rows'] {
  const binSize = Math.max(1, Math.ceil(counts.length / bins));
  const out = new Array<number>(Math.ceil(counts.length / binSize)).fill(0);
  counts.forEach((c, i) => {
    const b = Math.floor(i / binSize);
    if (c > out[b]!) out[b] = c;
  });
  return { binSize, counts: out };
}

/**
 * The layout of a region: for each weight it covers (layer order, then name), the most entries of any
 * row / column in each bin of rows / columns. A vector [n] counts as n rows of one column.
 */
export function regionLayout(region: Region, bins = LAYOUT_BINS): RegionLayout {
  const tensors: RegionLayout['tensors'] = [];
  for (const [name, mask] of region.masks) {
    const [rows = 1, cols = 1] = mask.shape;
    const rowCounts = new Uint32Array(rows);
    const colCounts = new Uint32Array(cols);
    let entries = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0, i = r * cols; c < cols; c++, i++) {
        if (mask.data[i] !== 0) {
          rowCounts[r]!++;
          colCounts[c]!++;
          entries++;
        }
      }
    }
    const axis = hiddenAxis(name);
    const parsed = parseWeightName(name);
    const layer = parsed?.layer ?? null;
    tensors.push({
      name,
      layer: axis?.layer ?? layer,
      matrix: layer === null ? name : parsed!.part,
      hiddenAxis: axis?.axis ?? null,
      shape: [...mask.shape],
      entries,
      rows: bin(rowCounts, bins),
      cols: bin(colCounts, bins),
    });
  }
  tensors.sort((a, b) => (a.layer ?? Infinity) - (b.layer ?? Infinity) || a.name.localeCompare(b.name));
  return { bins, tensors };
}
