/**
 * vega-lite spec → standalone SVG string, rendered in Node when the report is written: compiled to vega,
 * run headless (`renderer: 'none'`, no canvas, no DOM), serialised by vega's SVG string renderer, which
 * escapes every text and attribute value. Data is inline; nothing is loaded from files or the network.
 */
import * as vega from 'vega';
import { compile, type Config, type TopLevelSpec } from 'vega-lite';

/** The look every chart shares. */
const CONFIG: Config = {
  background: 'white',
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  padding: 8,
  title: { anchor: 'start', fontSize: 13, fontWeight: 600, offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 500, gridColor: '#e8e8e8' },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  view: { stroke: null },
};

/** A loader that refuses every request: a chart's data is inline, and the report must render offline. */
const offline = vega.loader();
offline.load = (uri: string) => Promise.reject(new Error(`charts load nothing (asked for ${uri})`));

/**
 * Renders a vega-lite spec to an SVG string.
 * @throws Error if the spec does not compile, or (defence in depth) if the SVG came out with a script or
 *   foreign content — text from results files must only ever reach it escaped.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec, { config: CONFIG }).spec), { renderer: 'none', loader: offline });
  try {
    const svg = await view.toSVG();
    if (/<(script|foreignObject|iframe)\b/i.test(svg)) throw new Error('a chart SVG contains active content');
    return svg;
  } finally {
    view.finalize();
  }
}
