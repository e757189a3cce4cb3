/** The report-wide charts: where each recorded region sits, and every monolingual region side by side. */
import { layoutChart } from '../charts/layout.js';
import { monolingualChart } from '../charts/monolingual.js';
import { charts, empty, figure } from '../internals/markup.js';
import type { FindingEntry, Results } from '../results.js';

function regionTitle(sha: string, findings: readonly FindingEntry[]): string {
  for (const a of findings.flatMap((f) => f.assertions)) {
    for (const r of Object.values(a.regions)) {
      if (r.sha256 !== sha) continue;
      const name = r.kind === 'top' ? 'Core region' : `${r.kind} region`;
      return `${name} (k = ${Number((r.fraction * 100).toPrecision(3))}%, ${r.entries.toLocaleString('en')} entries)`;
    }
  }
  return `Region ${sha.slice(0, 12)}`;
}

/** #region-layout: a heatmap per region whose layout a record carried. */
export async function layoutSection(r: Results): Promise<string> {
  const figures: string[] = [];
  for (const [sha, data] of Object.entries(r.regionData)) {
    if (data.layout === undefined) continue;
    const title = regionTitle(sha, r.findings);
    figures.push(await figure('layout', layoutChart(data.layout, title), `${title}, sha256 ${sha.slice(0, 16)}: one row per weight; a vertical stripe is a hidden dimension the region lines up on.`));
  }
  const body = figures.length === 0 ? empty('No region layout was recorded.') : charts(figures);
  return `<section id="region-layout" data-section="region-layout"><h2>Where the regions sit</h2>${body}</section>`;
}

/** #monolingual: the ratios of every monolingual assertion as one matrix. */
export async function monolingualSection(r: Results): Promise<string> {
  const fig = await figure('monolingual', monolingualChart(r.findings), 'Rows: the language whose monolingual region was zeroed; columns: the languages measured.');
  return `<section id="monolingual" data-section="monolingual"><h2>Monolingual regions</h2>${fig === '' ? empty('No monolingual region was measured.') : charts([fig])}</section>`;
}

