/**
 * Renders docs/sweep.json (written by scripts/sweep.ts) as docs/sweep.md.
 *
 *   npx tsx scripts/sweep-md.ts [--in docs/sweep.json] [--out docs/sweep.md]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { in: { type: 'string', default: 'docs/sweep.json' }, out: { type: 'string', default: 'docs/sweep.md' } },
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const r = JSON.parse(readFileSync(args.in!, 'utf8')) as any;
const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? '–' : x.toFixed(d));
const langs = Object.keys(r.baseline as Record<string, number>);
const lines: string[] = [];
const p = (s = '') => lines.push(s);

p('# Sweeps around the findings on the fixture model (what sized its thresholds)');
p();
p(`Checkpoint \`${r.checkpoint}\` (sha256 \`${r.checkpoint_sha256.slice(0, 16)}…\`), measured by \`npm run sweep\` in ${Math.round(r.seconds / 60)} min on ${r.backend.device}.`);
p(`Perplexity: first ${r.settings.eval_tokens} tokens of each language's UDHR text (windows of ${r.settings.seq_len}); ratio = perturbed ppl / original ppl.`);
p(`Importance |θ⊙g|: first ${r.settings.importance_tokens} tokens of each region language's training text (${r.settings.region_languages.join(', ')}), summed for the core region; regions per matrix inside \`model.layers.*\`; random regions seed ${r.settings.seed}.`);
p();
p('## 1. Core region: zeroing top vs random vs bottom');
p();
p('| fraction | region | entries | median ratio (30 langs) | min ratio | max ratio |');
p('| --- | --- | --- | --- | --- | --- |');
for (const row of r.finding1) {
  const v = Object.values(row.ratio as Record<string, number>);
  p(`| ${row.fraction * 100}% | ${row.kind === 'top' ? 'core (top)' : row.kind} | ${row.entries} | ${f(row.median_ratio)} | ${f(row.min_ratio)} | ${f(Math.max(...v))} |`);
}
p();
p('Perplexity per language (original, and with each 1% region zeroed):');
p();
const at = (kind: string, fr: number) => r.finding1.find((x: any) => x.kind === kind && x.fraction === fr);
p('| lang | original | core 0.1% | core 1% | random 1% | bottom 1% | core 5% | random 5% | bottom 5% |');
p('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const l of langs) {
  const cells = [['top', 0.001], ['top', 0.01], ['random', 0.01], ['bottom', 0.01], ['top', 0.05], ['random', 0.05], ['bottom', 0.05]].map(
    ([k, fr]) => f(at(k as string, fr as number)?.ppl[l], 2),
  );
  p(`| ${l} | ${f(r.baseline[l], 2)} | ${cells.join(' | ')} |`);
}
p();
p('## 2. Dimensional dependence');
p();
p('Where the core 1% region concentrates (binomial z-score of entries per hidden dimension against a uniform spread; flagged: z ≥ 6 and count ≥ 5):');
p();
p('| role | entries | top dims (dim: count / expected, z) | flagged |');
p('| --- | --- | --- | --- |');
for (const role of ['writes', 'reads', 'norms']) {
  const c = r.concentration[role];
  p(`| ${role} | ${c.entries} | ${c.top.map((d: any) => `${d.dim}: ${d.count}/${f(d.expected, 1)}, z ${f(d.z, 1)}`).join('; ')} | ${c.flagged.join(', ') || 'none'} |`);
}
p();
p(`×${r.sensitivity.factor} on a single norm weight at one hidden dimension (top dims: ${r.sensitivity.top_dims.join(', ')}; random control dims: ${r.sensitivity.random_dims.join(', ')}), median and max ppl ratio over 30 languages (first ${r.settings.sensitivity_tokens} tokens each):`);
p();
p('| layer | tensor | dim | group | median ratio | max ratio |');
p('| --- | --- | --- | --- | --- | --- |');
for (const s of r.sensitivity.results) p(`| ${s.layer} | ${s.tensor} | ${s.dim} | ${s.group} | ${f(s.median_ratio)} | ${f(s.max_ratio)} |`);
p();
p('## 3. Monolingual regions (1%: own top-1% minus the union of the other five languages\' top-1%)');
p();
p('| region | entries | own ratio | others: median | others: max |');
p('| --- | --- | --- | --- | --- |');
for (const m of r.monolingual) p(`| ${m.language} | ${m.entries} | ${f(m.own)} | ${f(m.others_median)} | ${f(m.others_max)} |`);
p();
p('Ratio per evaluated language (rows: region removed; columns: language):');
p();
p(`| region | ${langs.join(' | ')} |`);
p(`| --- | ${langs.map(() => '---').join(' | ')} |`);
for (const m of r.monolingual) p(`| ${m.language} | ${langs.map((l) => f(m.ratio[l], 2)).join(' | ')} |`);
p();
p(`## 4. Forgetting during further pre-training on Chinese (${r.settings.forgetting_steps} steps × ${r.settings.forgetting_batch} windows × ${r.settings.forgetting_seq_len} tokens, AdamW, weight decay 0.001)`);
p();
p('Forgetting = ppl after / ppl before (1 = nothing forgotten). Prevented = 1 − ln(f_frozen)/ln(f_none): the share of the forgetting that freezing removed.');
p();
const retain = Object.keys(r.forgetting[0]?.summary.retained ?? {});
p('zh improvement = ppl before / ppl after on UDHR and on held-out zh documentation (the training domain); kept = ln(g_frozen)/ln(g_none) on the held-out text.');
p();
p(`| lr | frozen | ${retain.map((l) => `${l} forgetting`).join(' | ')} | zh improvement (UDHR) | zh improvement (held-out) | zh kept | ${retain.map((l) => `${l} prevented`).join(' | ')} |`);
p(`| --- | --- | ${retain.map(() => '---').join(' | ')} | --- | --- | --- | ${retain.map(() => '---').join(' | ')} |`);
for (const x of r.forgetting) {
  const frozen = x.freeze === 'none' ? 'none' : `${x.freeze} ${x.fraction * 100}%`;
  const prevented = retain.map((l) => (x.comparison ? f(x.comparison.retained[l].forgettingPrevented) : ''));
  const kept = x.comparison_heldout?.learningKept;
  p(`| ${x.lr} | ${frozen} | ${retain.map((l) => f(x.summary.retained[l].forgetting)).join(' | ')} | ${f(x.summary.trained.improvement)} | ${x.heldout ? f(x.heldout.improvement) : ''} | ${kept === undefined || kept === null ? '' : f(kept)} | ${prevented.join(' | ')} |`);
}
p();
writeFileSync(args.out!, `${lines.join('\n')}\n`);
console.error(`wrote ${args.out}`);
