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
  const y = { field: 'ratio', type: 'quantitative' as const, title: 'largest |h| ÷ median |h|', scale: { type: 'log' as const } };
  return {
    title: { text: 'Massive-activation profile', subtitle: 'per layer of the residual stream: the largest activation over the median; dashed: the criterion' },
    width: Math.max(240, values.length * 36),
    height: 220,
    layer: [
      {
        data: { values },
        mark: { type: 'bar', color: COLORS.region },
        encoding: { x: { field: 'layer', type: 'nominal', sort: values.map((v) => v.layer), title: null, axis: { labelAngle: 0 } }, y, tooltip: [{ field: 'label' }, { field: 'ratio', format: '.3~s' }] },
      },
      {
        data: { values },
        mark: { type: 'text', dy: -6, fontSize: 9, color: '#333' },
        encoding: { x: { field: 'layer', type: 'nominal', sort: values.map((v) => v.layer) }, y, text: { field: 'label', type: 'nominal' } },
      },
      ...(criterion === null
        ? []
        : [
            {
              data: { values: [{ ratio: criterion, rule: `criterion ×${criterion}` }] },
              mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#666' },
              encoding: { y: { field: 'ratio', type: 'quantitative' as const } },
            },
          ]),
    ],
  };
}
