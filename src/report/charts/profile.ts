/**
 * The massive-activation profile (Sun et al.'s picture): per layer of the residual stream, the largest
 * |activation| ÷ the layer's median |activation|, on a log scale, with the criterion drawn across — LLaMA-2's
 * jump to thousands after layer 1 or 2 stands out; a model without massive activations stays far below.
 */
import type { TopLevelSpec } from 'vega-lite';
import { z } from 'zod';
import { COLORS } from '../internals/palette.js';
import type { AssertionEntry } from '../results.js';

const profileSchema = z.array(z.looseObject({ layer: z.number().int(), ratio: z.number(), dim: z.number().int(), top: z.number(), kind: z.string() }));

/** The bar chart of an assertion's `measured.profile`, or null when it recorded none. */
export function profileChart(assertion: AssertionEntry): TopLevelSpec | null {
  const parsed = profileSchema.safeParse(assertion.measured.profile);
  if (!parsed.success || parsed.data.length === 0) return null;
  const values = parsed.data
    .filter((p) => Number.isFinite(p.ratio) && p.ratio > 0)
    .map((p) => ({ layer: p.layer < 0 ? 'embed' : `L${p.layer}`, ratio: p.ratio, label: `dim ${p.dim} (${p.kind})` }));
  if (values.length === 0) return null;
  const criterion = typeof assertion.thresholds.minTopToMedian === 'number' ? assertion.thresholds.minTopToMedian : null;
  // A log axis from ×1 to above both the largest ratio and the criterion: a lollipop per layer (a bar has no base on a log scale).
  const top = Math.max(...values.map((v) => v.ratio), criterion ?? 1) * 2;
  const y = { field: 'ratio', type: 'quantitative' as const, title: 'largest |h| ÷ median |h|', scale: { type: 'log' as const, domain: [1, top] } };
  const x = { field: 'layer', type: 'nominal' as const, sort: values.map((v) => v.layer), title: null, axis: { labelAngle: 0 } };
  return {
    title: { text: 'Massive-activation profile', subtitle: 'per layer of the residual stream: the largest activation over the median; dashed: the criterion' },
    width: Math.max(240, values.length * 60),
    height: 220,
    layer: [
      {
        data: { values: values.map((v) => ({ ...v, base: 1 })) },
        mark: { type: 'rule', color: COLORS.region, strokeWidth: 2 },
        encoding: { x, y, y2: { field: 'base' } },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 70, color: COLORS.region },
        encoding: { x, y, tooltip: [{ field: 'label' }, { field: 'ratio', format: '.3~s' }] },
      },
      {
        data: { values },
        mark: { type: 'text', dy: -10, fontSize: 9, color: '#333' },
        encoding: { x, y, text: { field: 'label', type: 'nominal' } },
      },
      ...(criterion === null
        ? []
        : [
            {
              data: { values: [{ ratio: criterion, rule: `criterion ×${criterion}` }] },
              mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#666' },
              encoding: { y: { field: 'ratio', type: 'quantitative' as const, scale: { type: 'log' as const, domain: [1, top] } } },
            },
            {
              data: { values: [{ ratio: criterion, rule: `criterion ×${criterion}` }] },
              mark: { type: 'text' as const, align: 'left' as const, dx: 4, dy: -6, x: 0, fontSize: 10, color: '#444' },
              encoding: { y: { field: 'ratio', type: 'quantitative' as const, scale: { type: 'log' as const, domain: [1, top] } }, text: { field: 'rule', type: 'nominal' as const } },
            },
          ]),
    ],
  };
}
