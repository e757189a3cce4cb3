/**
 * Finding 2's picture: where the core region sits. One heatmap row per weight (layer, matrix); left, the
 * weight's hidden-dimension axis (rows of o_proj/down_proj and the norms, columns of q/k/v/gate/up), right
 * its other axis. Colour: the share of a row/column that lies in the region (the most of any in the bin),
 * so a dimension the region lines up on lights up as a vertical stripe through many layers.
 */
import type { LayerPart } from '../../checkpoint/names.js';
import type { TopLevelSpec } from 'vega-lite';
import { COLORS } from '../internals/palette.js';
import type { RegionLayout } from '../results.js';

type Tensor = RegionLayout['tensors'][number];

/** Order of a layer's weights in the heatmap: the forward pass. */
const ORDER: readonly LayerPart[] = ['input_layernorm', 'q_proj', 'k_proj', 'v_proj', 'qkv_proj', 'q_norm', 'k_norm', 'o_proj', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'gate_proj', 'up_proj', 'gate_up_proj', 'down_proj', 'post_feedforward_layernorm'];

function label(t: Tensor): string {
  return t.layer === null ? t.name : `L${t.layer} ${t.matrix}`;
}

/** Cells drawn in all (a LLaMA-7B heatmap would otherwise be tens of thousands of rects). */
const CELL_BUDGET = 6000;

/** Max-pools adjacent bins `factor` at a time. */
function pool(axis: Tensor['rows'], factor: number): Tensor['rows'] {
  if (factor <= 1) return axis;
  const counts: number[] = [];
  for (let i = 0; i < axis.counts.length; i += factor) counts.push(Math.max(...axis.counts.slice(i, i + factor)));
  return { binSize: axis.binSize * factor, counts };
}

/** One cell per bin of one axis: [start, end) in the axis' own units, and the share of a slice in the region. */
function cells(t: Tensor, axis: 'rows' | 'cols', panel: string, relative: boolean, maxBins: number) {
  const [rows = 1, cols = 1] = t.shape;
  const length = axis === 'rows' ? rows : cols;
  const slice = axis === 'rows' ? cols : rows;
  const { binSize, counts } = pool(t[axis], Math.ceil(t[axis].counts.length / maxBins));
  return counts.map((count, b) => {
    const start = b * binSize;
    const end = Math.min(length, start + binSize);
    return { panel, tensor: label(t), start: relative ? start / length : start, end: relative ? end / length : end, share: count / slice };
  });
}

/** The heatmap spec of a region's layout, or null for an empty layout. */
export function layoutChart(layout: RegionLayout, title: string): TopLevelSpec | null {
  const tensors = [...layout.tensors].sort(
    (a, b) => (a.layer ?? Infinity) - (b.layer ?? Infinity) || ORDER.indexOf(a.matrix as LayerPart) - ORDER.indexOf(b.matrix as LayerPart) || a.name.localeCompare(b.name),
  );
  if (tensors.length === 0) return null;
  const maxBins = Math.max(16, Math.floor(CELL_BUDGET / tensors.length));
  const hidden = tensors.filter((t) => t.hiddenAxis !== null).flatMap((t) => cells(t, t.hiddenAxis === 0 ? 'rows' : 'cols', 'hidden', false, maxBins));
  // The other axis of a matrix (a vector has none): its length differs by matrix, so positions are relative.
  const other = tensors.filter((t) => t.shape.length === 2).flatMap((t) => cells(t, t.hiddenAxis === 1 ? 'rows' : 'cols', 'other', t.hiddenAxis !== null, maxBins));
  const order = tensors.map(label);
  const step = Math.max(3, Math.min(12, Math.floor(900 / order.length)));
  const color = { field: 'share', type: 'quantitative' as const, title: 'share in region', scale: { scheme: COLORS.heat, domainMin: 0 } };
  const y = { field: 'tensor', type: 'nominal' as const, sort: order, title: null, axis: { labelFontSize: Math.min(11, step + 1), labelOverlap: true, labelLimit: 220 } };
  return {
    title: { text: title, subtitle: 'share of each row / column in the region (most of any in a bin)' },
    data: { values: [...hidden, ...other] },
    hconcat: [
      {
        transform: [{ filter: "datum.panel === 'hidden'" }],
        width: 420,
        height: { step },
        mark: { type: 'rect', aria: false },
        encoding: { x: { field: 'start', type: 'quantitative', title: 'hidden dimension' }, x2: { field: 'end' }, y, color },
      },
      {
        transform: [{ filter: "datum.panel === 'other'" }],
        width: 220,
        height: { step },
        mark: { type: 'rect', aria: false },
        encoding: {
          x: { field: 'start', type: 'quantitative', title: 'other axis (position)', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
          x2: { field: 'end' },
          y: { ...y, axis: null },
          color,
        },
      },
    ],
    resolve: { scale: { color: 'shared' } },
  };
}
