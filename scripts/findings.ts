/**
 * The paper's four findings on the shipped fixture, measured as the specs measure them (src/vitest/findings.ts,
 * with the specs' plugin options from specs/options.ts and the checkpoint's regions.thresholds.json): writes
 * docs/findings.json, docs/findings.md and the README's summary block (npm run findings). It shares the specs' caches (.cache/regions),
 * so after it a spec run is warm, and the other way round.
 *
 *   npx tsx scripts/findings.ts [--checkpoint DIR] [--out docs/findings]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { measureFindings, renderFindingsMarkdown, renderFindingsSummary, withSummary } from '../src/findings/docs.js';
import { openSubject } from '../src/findings/subject.js';
import { FIXTURE_OPTIONS } from '../specs/options.js';

const { values: args } = parseArgs({
  options: { checkpoint: { type: 'string', default: FIXTURE_OPTIONS.checkpoint }, out: { type: 'string', default: 'docs/findings' } },
});
const t0 = Date.now();
const subject = await openSubject({ ...FIXTURE_OPTIONS, checkpoint: args.checkpoint! });
try {
  const report = await measureFindings(subject, (c) =>
    console.error(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${c.finding} ${c.point}: ${c.result.holds ? 'holds' : 'does not hold'} (expected ${c.expected})`),
  );
  // Region fingerprints and layouts are for the HTML report and `regions compare`; the docs keep the summaries.
  const slim = JSON.stringify(report, (key, value) => (key === 'fingerprint' || key === 'layout' ? undefined : value), 1);
  writeFileSync(`${args.out}.json`, `${slim}\n`);
  writeFileSync(`${args.out}.md`, renderFindingsMarkdown(report, 'npm run findings'));
  if (args.out === 'docs/findings') writeFileSync('README.md', withSummary(readFileSync('README.md', 'utf8'), renderFindingsSummary(report)));
  console.error(`wrote ${args.out}.json and ${args.out}.md${args.out === 'docs/findings' ? ' and the README summary' : ''}`);
} finally {
  await subject.close();
}
