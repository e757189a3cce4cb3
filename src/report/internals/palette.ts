/** Colours shared by the charts: the unperturbed model, the region under test, its control. */
export const COLORS = {
  baseline: '#9aa5b1',
  region: '#d1495b',
  control: '#2e86ab',
  /** Error bars and other marks drawn over the bars. */
  ink: '#333333',
  /** Sequential scheme of the heatmaps (light = few entries, dark = many). */
  heat: 'orangered',
} as const;
