/**
 * Drift over a series of runs in order (a training run's checkpoints, each week's release): per finding, its
 * verdict and the median over languages of the region's perplexity ratio, with the medians of the
 * per-language 95% intervals, run by run; per core region (by k), its Jaccard overlap with the first run's
 * and with the previous run's — when did the region form, is it stable. `regions compare --runs a,b,c`
 * prints it. Descriptive: nothing here fails.
 */
import { formatPercent, renderTable } from '../findings/measure/format.js';
import { fingerprintOverlap } from '../region-data/fingerprint.js';
import { median } from '../util/stats.js';
import type { AssertionEntry, RegionFingerprint, Results } from './results.js';

/** One finding in one run. */
export interface FindingPoint {
  holds: boolean;
  /** Median over languages of the region's ratio (its `region` effects); null without any finite one. */
  medianRatio: number | null;
  /** Medians over languages of the intervals' lower and upper ends; null where the effects carry none. */
  medianInterval: [number, number] | null;
}

/** One core region in one run. */
export interface RegionPoint {
  entries: number;
  /** Jaccard with the first run's region, and with the previous run's (null for the first, or without a fingerprint). */
  toFirst: number | null;
  toPrevious: number | null;
}

export interface Series {
  runs: string[];
  findings: { key: string; finding: string; points: (FindingPoint | null)[] }[];
  regions: { label: string; points: (RegionPoint | null)[] }[];
}

/** The project's median, null for none. */
const medianOrNull = (xs: readonly number[]): number | null => (xs.length === 0 ? null : median(xs));

function findingPoint(a: AssertionEntry): FindingPoint {
  const region = a.effects.filter((e) => e.role === 'region' && e.ratio !== null && Number.isFinite(e.ratio));
  const withCi = region.filter((e) => e.ci95 !== null);
  const lo = medianOrNull(withCi.map((e) => e.ci95![0]));
  const hi = medianOrNull(withCi.map((e) => e.ci95![1]));
  return { holds: a.holds, medianRatio: medianOrNull(region.map((e) => e.ratio!)), medianInterval: lo === null || hi === null ? null : [lo, hi] };
}

/** The core (top) regions of a run with a fingerprint, by "core region, k = 1%". */
function coreFingerprints(r: Results): Map<string, RegionFingerprint> {
  const out = new Map<string, RegionFingerprint>();
  for (const a of r.findings.flatMap((f) => f.assertions)) {
    for (const region of Object.values(a.regions)) {
      const fingerprint = r.regionData[region.sha256]?.fingerprint;
      if (region.kind !== 'top' || fingerprint === undefined) continue;
      const label = `core region, k = ${formatPercent(region.fraction)}`;
      if (!out.has(label)) out.set(label, fingerprint);
    }
  }
  return out;
}

/** The series of `runs`, in the order given. */
export function seriesOf(runs: readonly { name: string; results: Results }[]): Series {
  const keys = new Map<string, string>();
  for (const { results } of runs) for (const f of results.findings) if (!keys.has(f.key)) keys.set(f.key, f.finding);
  const findings = [...keys].map(([key, finding]) => ({
    key,
    finding,
    points: runs.map(({ results }) => {
      const f = results.findings.find((x) => x.key === key);
      return f === undefined ? null : findingPoint(f.assertions[f.shown]!);
    }),
  }));
  const prints = runs.map(({ results }) => coreFingerprints(results));
  const labels = [...new Set(prints.flatMap((p) => [...p.keys()]))];
  const regions = labels.map((label) => {
    const first = prints.find((p) => p.has(label))?.get(label);
    return {
      label,
      points: prints.map((p, i): RegionPoint | null => {
        const f = p.get(label);
        if (f === undefined) return null;
        const previous = i === 0 ? undefined : prints[i - 1]!.get(label);
        return {
          entries: f.entries,
          toFirst: first === undefined ? null : fingerprintOverlap(first, f).jaccard,
          toPrevious: previous === undefined ? null : fingerprintOverlap(previous, f).jaccard,
        };
      }),
    };
  });
  return { runs: runs.map((r) => r.name), findings, regions };
}

const ratio = (x: number) => `×${x.toPrecision(3)}`;

/** The series as text: one table of findings (a column per run), one of core regions. */
export function formatSeries(s: Series): string {
  const runs = s.runs.map((r, i) => `${i + 1}: ${r}`).join('\n');
  const findingRows = s.findings.map((f) => [
    f.key,
    ...f.points.map((p) => {
      if (p === null) return '–';
      const r = p.medianRatio === null ? 'n/a' : ratio(p.medianRatio);
      const ci = p.medianInterval === null ? '' : ` (${ratio(p.medianInterval[0])}–${ratio(p.medianInterval[1])})`;
      return `${p.holds ? 'holds' : 'not'} ${r}${ci}`;
    }),
  ]);
  const regionRows = s.regions.map((r) => [
    r.label,
    ...r.points.map((p) => (p === null ? '–' : `${p.toFirst === null ? '' : `J₁ ${p.toFirst.toFixed(3)}`}${p.toPrevious === null ? '' : `, J₋₁ ${p.toPrevious.toFixed(3)}`}`.replace(/^, /, '') || `${p.entries} entries`)),
  ]);
  const head = s.runs.map((_, i) => `run ${i + 1}`);
  return [
    `regions compare --runs: ${s.runs.length} runs in order\n${runs}`,
    '',
    renderTable({ title: 'findings: verdict and the region\'s median ratio over languages (medians of the 95% intervals)', columns: ['finding', ...head], rows: findingRows }, '  '),
    '',
    renderTable({ title: 'core regions: Jaccard with the first run (J₁) and with the previous one (J₋₁)', columns: ['region', ...head], rows: regionRows }, '  '),
  ].join('\n');
}
