/** The massive-activation profile chart: one lollipop per layer on a log axis from ×1, the criterion across; nothing without a profile. */
import { describe, expect, test } from 'vitest';
import { profileChart } from '../../src/report/charts/profile.js';
import { renderSvg } from '../../src/report/internals/vega.js';
import type { AssertionEntry } from '../../src/report/results.js';

const assertion = (measured: Record<string, unknown>, thresholds: Record<string, unknown> = { minTopToMedian: 1000 }) => ({ measured, thresholds }) as unknown as AssertionEntry;
const PROFILE = [
  { layer: -1, median: 0.05, top: 0.64, dim: 98, kind: 'first', ratio: 13.6 },
  { layer: 0, median: 0.42, top: 38, dim: 118, kind: 'first', ratio: 91.5 },
  { layer: 1, median: 0.64, top: 40.5, dim: 118, kind: 'first', ratio: 63.4 },
];

describe('profileChart', () => {
  test('draws a point and a stem per layer, labelled with the dim, and the criterion', async () => {
    const spec = profileChart(assertion({ profile: PROFILE }))!;
    expect(spec).not.toBeNull();
    const svg = await renderSvg(spec);
    expect(svg).toMatch(/^<svg [^>]*width="\d+" height="\d+"/);
    for (const label of ['embed', 'L0', 'L1', 'dim 118 (first)', 'criterion ×1000']) expect(svg).toContain(label);
    // The marks: points (symbol) on stems (rule), the labels (text).
    for (const mark of ['mark-symbol', 'mark-rule', 'mark-text']) expect(svg).toContain(`class="${mark}`);
    const symbols = /class="mark-symbol[^"]*"[^>]*>([\s\S]*?)<\/g>/.exec(svg)![1]!;
    expect(symbols.match(/<path/g)).toHaveLength(PROFILE.length);
  });

  test('is null without a profile, or with nothing drawable on a log axis', () => {
    expect(profileChart(assertion({}))).toBeNull();
    expect(profileChart(assertion({ profile: [{ ...PROFILE[0], ratio: Number.NaN }] }))).toBeNull();
  });
});
