/**
 * The paper's four findings measured once on a subject, at the fixed points its thresholds name: what
 * `npm run findings` writes to docs/findings.{json,md}. Each case runs the measurement its matcher runs
 * (a matcher is that measurement plus its verdict), with the subject's options and thresholds, so the docs
 * hold the specs' numbers — and share their on-disk caches. The specs sweep around these points (region
 * fraction and control seed, dims and seeds, languages); this measures each point once:
 * - finding 1: the core region at k = `coreRegion.fraction`, the thresholds' control, the plugin's seed;
 * - finding 2: each of the thresholds' dims (`detected`: the detector's dims) at the thresholds' layer;
 * - finding 3: each region language's monolingual region, and beside it (reported, not asserted by a spec)
 *   the same measurement on its language neurons by LAPE (`source: 'neurons'`);
 * - finding 4: the thresholds' further pre-training runs.
 */
import { formatTable } from '../util/table.js';
import { measureDimensionSensitive } from './matchers/dimension-sensitive.js';
import { measureLoseCompetence } from './matchers/lose-competence.js';
import { measureMonolingualRegion } from './matchers/monolingual-region.js';
import { measureRetainAfterFrozenPretrain } from './matchers/retain-after-frozen-pretrain.js';
import { median } from './measure/format.js';
import type { FindingResult } from './measure/result.js';
import type { RegionsSubject } from './subject.js';
import type { Expectation, Finding } from './thresholds.js';

/** One measured case: which finding, at what point, what the thresholds expect and what was found. */
export interface FindingCase {
  finding: Finding;
  /** "k = 1%", "dim 106", "es", "es, LAPE neurons", … */
  point: string;
  /** What the thresholds file expects, which a spec asserts; null for a case reported beside the findings, not asserted. */
  expected: Expectation | null;
  result: FindingResult;
  /** Whether the outcome is what the thresholds file expects (null: not asserted). */
  asExpected: boolean | null;
}

export interface FindingsReport {
  subject: { dir: string; hash: string; label: string };
  engine: { name: string; device: string };
  thresholdsFile: string | null;
  settings: { evalTokens: number; importanceTokens: number; seqLen: number; seed: number | null; regionLanguages: string[] };
  cases: FindingCase[];
  seconds: number;
}

/** Measures every case; `onCase` hears each as it is done. */
export async function measureFindings(subject: RegionsSubject, onCase: (c: FindingCase) => void = () => {}): Promise<FindingsReport> {
  const t0 = Date.now();
  const t = subject.thresholds;
  const cases: FindingCase[] = [];
  const add = (finding: Finding, point: string, expected: Expectation | null, result: FindingResult) => {
    const c = { finding, point, expected, result, asExpected: expected === null ? null : result.holds === (expected === 'holds') };
    cases.push(c);
    onCase(c);
  };
  add('coreRegion', `k = ${+(t.coreRegion.fraction * 100).toPrecision(3)}%`, t.coreRegion.expected, await measureLoseCompetence(subject, { kind: 'top', fraction: t.coreRegion.fraction }));
  const d = t.dimensionSensitivity;
  const dims = d.dims === 'detected' ? await subject.detectedDims(d.layer) : (d.dims ?? []);
  for (const dim of dims) add('dimensionSensitivity', `layer ${d.layer}, dim ${dim}`, d.expected, await measureDimensionSensitive(subject, { dim }));
  for (const language of subject.options.regionLanguages) {
    add('monolingual', language, t.monolingual.expectedFor[language] ?? t.monolingual.expected, await measureMonolingualRegion(subject, language));
  }
  if (subject.engine.engine === 'onnxruntime') {
    for (const language of subject.options.regionLanguages) {
      add('monolingual', `${language}, LAPE neurons`, null, await measureMonolingualRegion(subject, language, { source: 'neurons' }));
    }
  }
  add('frozenPretrain', `${t.frozenPretrain.steps} steps on ${t.frozenPretrain.train}`, t.frozenPretrain.expected, await measureRetainAfterFrozenPretrain(subject));
  const o = subject.options;
  return {
    subject: { dir: subject.dir, hash: subject.hash, label: subject.label },
    engine: { name: subject.engine.name, device: subject.engine.device },
    thresholdsFile: subject.thresholdsFile,
    settings: { evalTokens: o.evalTokens, importanceTokens: o.importanceTokens, seqLen: subject.seqLen, seed: o.seed ?? null, regionLanguages: [...o.regionLanguages] },
    cases,
    seconds: Math.round((Date.now() - t0) / 1000),
  };
}

const TITLES: Record<Finding, string> = {
  coreRegion: '1. A core region',
  dimensionSensitivity: '2. Dimensional dependence',
  monolingual: '3. Monolingual regions',
  frozenPretrain: '4. Freezing the core region during further pre-training',
};

const verdict = (c: FindingCase) =>
  `${c.result.holds ? 'holds' : 'does not hold'} (${c.expected === null ? 'reported, not asserted' : `expected: ${c.expected === 'holds' ? 'holds' : 'does not hold'}${c.asExpected ? '' : ' — **the spec fails**'}`})`;

/** docs/findings.md: every case's claim, verdict, reasons and tables, as Markdown. */
export function renderFindingsMarkdown(r: FindingsReport, regenerate: string): string {
  const out: string[] = [];
  const p = (line = '') => out.push(line);
  p('# The findings on the shipped fixture model');
  p();
  p(`Generated by \`${regenerate}\` from the same measurements the specs make (\`src/vitest/findings.ts\`): each case`);
  p('runs its matcher\'s measurement once, at the point its thresholds file names; the specs sweep around these points.');
  p();
  p(`- Checkpoint: ${r.subject.label} (\`${r.subject.dir}\`), sha256 \`${r.subject.hash}\``);
  p(`- Engine: ${r.engine.name} (${r.engine.device}); ${r.seconds} s, caches included`);
  p(`- Perplexity on the first ${r.settings.evalTokens} tokens of each evaluation text (windows of ${r.settings.seqLen}); importance over ${r.settings.importanceTokens.toLocaleString('en')} tokens of each region language's training text (${r.settings.regionLanguages.join(', ')}); seed ${r.settings.seed ?? 'none'}`);
  p(`- Thresholds: \`${r.thresholdsFile ?? 'the paper\'s defaults'}\` (its \`evidence\` says why each is set as it is)`);
  p();
  p('| finding | point | holds | expected | spec |');
  p('| --- | --- | --- | --- | --- |');
  for (const c of r.cases) p(`| ${TITLES[c.finding]} | ${c.point} | ${c.result.holds ? 'yes' : 'no'} | ${c.expected ?? '–'} | ${c.asExpected === null ? 'not asserted' : c.asExpected ? 'passes' : '**fails**'} |`);
  for (const finding of Object.keys(TITLES) as Finding[]) {
    const cs = r.cases.filter((c) => c.finding === finding);
    if (cs.length === 0) continue;
    p();
    p(`## ${TITLES[finding]}`);
    for (const c of cs) {
      p();
      p(`### ${c.point}: ${verdict(c)}`);
      p();
      p(`Claim: ${c.result.claim}.`);
      p();
      for (const line of c.result.failures) p(`- ✗ ${line}`);
      for (const line of c.result.successes) p(`- ✓ ${line}`);
      for (const table of c.result.tables) {
        p();
        p(`${table.title}:`);
        p();
        p('```');
        p(formatTable(table.columns.map((h, i) => ({ header: h, align: i === 0 ? 'left' : 'right' })), table.rows).trimEnd());
        p('```');
      }
    }
  }
  return `${out.join('\n')}\n`;
}

const x = (r: number) => `×${r < 10 ? r.toFixed(2) : r.toFixed(1)}`;
const share = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v * 100)}%`);
const range = (vs: number[], fmt: (v: number) => string) => (vs.length === 0 ? '' : `${fmt(Math.min(...vs))}–${fmt(Math.max(...vs))}`);
type Effect = { language: string; ratio: number };
const holdsWord = (cs: FindingCase[]) => {
  const n = cs.filter((c) => c.result.holds).length;
  return n === cs.length ? 'holds' : n === 0 ? 'does not hold' : `holds for ${n} of ${cs.length}`;
};

/**
 * The README's status paragraph on the fixture: one sentence per finding with its numbers, from the same
 * report as docs/findings.md (a test checks that the README holds exactly this).
 */
export function renderFindingsSummary(r: FindingsReport): string {
  const parts: string[] = [];
  const core = r.cases.find((c) => c.finding === 'coreRegion');
  if (core !== undefined) {
    const m = core.result.measured as { effects: Effect[]; controlEffects: Effect[] };
    const least = m.effects.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    const control = m.controlEffects.length === 0 ? '' : ` against ${x(median(m.controlEffects.map((e) => e.ratio)))} for a ${String(core.result.thresholds.control)} region of the same size`;
    parts.push(`finding 1 ${holdsWord([core])} at the thresholds: zeroing the core region (${core.point}) raises perplexity ${x(median(m.effects.map((e) => e.ratio)))} in the median of ${m.effects.length} languages (least hit: ${least.language} ${x(least.ratio)})${control}`);
  }
  const dims = r.cases.filter((c) => c.finding === 'dimensionSensitivity');
  if (dims.length > 0) {
    const text = dims.map((c) => {
      const m = c.result.measured as { dim: number; median: number; controls: { effects: Effect[] }[] };
      return `dim ${m.dim} ${x(m.median)}`;
    });
    const controls = dims.flatMap((c) => (c.result.measured as { controls: { effects: Effect[] }[] }).controls.flatMap((k) => k.effects.map((e) => e.ratio)));
    parts.push(`finding 2 ${holdsWord(dims)}: ×${String(dims[0]!.result.thresholds.factor)} on one norm entry of layer ${String(dims[0]!.result.thresholds.layer)} moves the median language's perplexity ${text.join(', ')} (random control dims: at most ${x(Math.max(...controls))})`);
  }
  const mono = r.cases.filter((c) => c.finding === 'monolingual' && c.expected !== null);
  const lape = r.cases.filter((c) => c.finding === 'monolingual' && c.expected === null);
  if (mono.length > 0) {
    const m = mono.map((c) => c.result.measured as { language: string; effects: Effect[]; othersMedian: number; selectivity: number });
    const own = m.map((v) => v.effects.find((e) => e.language === v.language)!.ratio);
    const least = m.reduce((a, b) => (b.selectivity < a.selectivity ? b : a));
    const neurons = lape.map((c) => c.result.measured as { language: string; effects: Effect[]; selectivity: number });
    const lapeText =
      neurons.length === 0
        ? ''
        : `; the language neurons LAPE finds ${holdsWord(lape)} at the same thresholds (own language ${range(neurons.map((v) => v.effects.find((e) => e.language === v.language)!.ratio), x)}, selectivity ${range(neurons.map((v) => v.selectivity), (s) => s.toFixed(1))})`;
    parts.push(`finding 3 ${holdsWord(mono)} region languages: removing a language's own region raises its perplexity ${range(own, x)} while the others' median moves ${range(m.map((v) => v.othersMedian), x)} (least selective: ${least.language}, ${least.selectivity.toFixed(2)} against ${String(mono[0]!.result.thresholds.minSelectivity)})${lapeText}`);
  }
  const frozen = r.cases.find((c) => c.finding === 'frozenPretrain');
  if (frozen !== undefined) {
    const m = frozen.result.measured as {
      comparison: { retained: Record<string, { forgettingPrevented: number | null }>; trained: { learningKept: number | null } };
      heldout: { learningKept: number | null } | null;
      control: { retained: Record<string, { forgettingPrevented: number | null }> } | null;
    };
    const prevented = Object.values(m.comparison.retained).map((v) => v.forgettingPrevented).filter((v): v is number => v !== null);
    const control = m.control === null ? [] : Object.values(m.control.retained).map((v) => v.forgettingPrevented).filter((v): v is number => v !== null);
    const kept = m.heldout ?? m.comparison.trained;
    parts.push(
      `finding 4 ${holdsWord([frozen])}: in further pre-training (${frozen.point}), freezing the core region prevents ${range(prevented, share)} of the retained languages' forgetting` +
        (control.length > 0 ? ` (a frozen random region of the same size: ${range(control, share)})` : '') +
        ` and keeps ${share(kept.learningKept)} of the trained language's gain${m.heldout === null ? '' : ' on held-out text of its training domain'}`,
    );
  }
  const failing = r.cases.filter((c) => c.asExpected === false).length;
  return `On ${r.subject.label}: ${parts.join('; ')}. ${failing === 0 ? 'The specs assert exactly these outcomes' : `${failing} case(s) differ from what the thresholds file expects, so the specs fail`} (\`${r.thresholdsFile ?? 'default thresholds'}\`; every number in [docs/findings.md](docs/findings.md)).`;
}

/** The README block {@link renderFindingsSummary} fills, between these markers. */
export const SUMMARY_MARKERS = ['<!-- findings:begin (npm run findings) -->', '<!-- findings:end -->'] as const;

/** `readme` with the block between {@link SUMMARY_MARKERS} replaced by `summary`; throws if the markers are missing. */
export function withSummary(readme: string, summary: string): string {
  const [begin, end] = SUMMARY_MARKERS;
  const a = readme.indexOf(begin);
  const b = readme.indexOf(end);
  if (a === -1 || b < a) throw new Error(`README.md: the markers ${begin} … ${end} are missing`);
  return `${readme.slice(0, a + begin.length)}\n${summary}\n${readme.slice(b)}`;
}
