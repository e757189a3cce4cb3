/** Small pieces of markup the report's sections share. Every argument that is text gets escaped here. */
import type { TopLevelSpec } from 'vega-lite';
import { CATALOG } from '../../findings/catalog.js';
import type { FindingEntry } from '../results.js';
import { escapeHtml as e } from './escape.js';
import { renderSvg } from './vega.js';

/** The name of each finding of the registry. */
export const FINDING_TITLES: Record<string, string> = Object.fromEntries(Object.entries(CATALOG).map(([key, d]) => [key, d.title]));

export const findingTitle = (f: FindingEntry) => FINDING_TITLES[f.finding] ?? f.finding;
export const badge = (ok: boolean, yes = 'PASS', no = 'FAIL') => `<span class="badge ${ok ? 'pass' : 'fail'}">${ok ? yes : no}</span>`;
export const empty = (text: string) => `<p class="empty">${e(text)}</p>`;
export const muted = (text: string) => `<span class="muted">${e(text)}</span>`;
/** The id of the i-th finding's article (0-based i). */
export const anchor = (i: number) => `finding-${i + 1}`;

/** "850 ms", "12.3 s", "3 min 20 s", or "—". */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** `key = value, …` with values as JSON (strings as is), or "none". */
export function keyValues(record: Record<string, unknown>): string {
  const entries = Object.entries(record);
  if (entries.length === 0) return muted('none');
  return entries.map(([k, v]) => `<code>${e(k)}</code> = <code>${e(typeof v === 'string' ? v : JSON.stringify(v))}</code>`).join(', ');
}

/** A definition list of rows whose values are already markup. */
export function definitions(rows: readonly (readonly [string, string])[]): string {
  return `<dl>${rows.map(([k, v]) => `<dt>${e(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/** A chart as `<figure class="chart" data-chart="kind">SVG<figcaption>`, or '' for no chart. */
export async function figure(kind: string, spec: TopLevelSpec | null, caption: string): Promise<string> {
  if (spec === null) return '';
  return `<figure class="chart" data-chart="${e(kind)}">${await renderSvg(spec)}<figcaption>${e(caption)}</figcaption></figure>`;
}

/** Figures side by side, or '' when there are none. */
export const charts = (figures: readonly string[]) => (figures.every((f) => f === '') ? '' : `<div class="charts">${figures.join('')}</div>`);
