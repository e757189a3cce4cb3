import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { defineCommand, option, optional, UsageError, withDefault } from '../args.js';
import { formatTable } from '../../util/table.js';

const options = {
  from: option.path('file', 'results.json of a run of the specs (the reporter writes reports/results.json)'),
  base: optional(option.path('file', 'thresholds file to start from: its numbers are kept, and its entries for findings the run did not measure'), '--out when it exists, else the paper defaults'),
  out: withDefault(option.output('FILE', 'thresholds file to write'), 'regions.thresholds.json'),
  force: option.flag('replace --out when it exists'),
  json: option.flag('print what was fitted as JSON instead of a table'),
};

/** `regions thresholds --from reports/results.json`: a thresholds file whose expectations are what the run saw. */
export const thresholdsCommand = defineCommand({
  name: 'thresholds',
  summary: 'write a thresholds file whose expectations are what a run saw (regions.thresholds.json)',
  description:
    'Fits a thresholds file to a run of the specs (--from, its results.json). For each finding the run measured, ' +
    'expected is "holds" when every assertion held and "does-not-hold" when none did; for findings measured per language ' +
    '(monolingual regions, language neurons) the languages\' majority is expected and the others are listed in expectedFor. ' +
    'The thresholds the run used are kept, and the run\'s numbers (assertions held, the ratios\' range and median) go in ' +
    'each entry\'s evidence. A finding that held in some assertions and not in others is on its thresholds\' boundary: ' +
    'no expectation makes its spec pass, so the earlier expectation is kept and the finding is listed, for you to move ' +
    'a threshold or narrow the property. Findings the run did not measure keep --base\'s entry. The file\'s $schema ' +
    'points at the JSON Schema this package ships, so editors check and complete it.',
  options,
  async run(values, io) {
    const [{ loadResults }, { partialRun }, { fitThresholds }, { loadThresholds }, { schemaRefFor }] = await Promise.all([
      import('../../report/results.js'),
      import('../../report/compare.js'),
      import('../../findings/fit.js'),
      import('../../findings/thresholds.js'),
      import('../../findings/thresholds-json-schema.js'),
    ]);
    if (existsSync(values.out) && !values.force) {
      throw new UsageError(`--out ${values.out} exists: add --force to replace it (its numbers are kept: it is the base unless --base says otherwise)`);
    }
    const results = loadResults(values.from);
    const baseFile = values.base ?? (existsSync(values.out) ? values.out : undefined);
    // Validated (a bad base names its field), then written as the user wrote it: defaults are not spelled out.
    if (baseFile !== undefined) loadThresholds(baseFile);
    const base = baseFile === undefined ? {} : (JSON.parse(readFileSync(baseFile, 'utf8')) as Record<string, unknown>);
    const label = results.provenance.checkpoints[0]?.label;
    const partial = partialRun(results);
    const fit = fitThresholds(results.findings, base, {
      schema: schemaRefFor(values.out),
      checkpoint: label,
      date: new Date().toISOString().slice(0, 10),
      command: `regions thresholds --from ${values.from}`,
      source: `${values.from} (${label ?? 'the checkpoint'}, run of ${results.provenance.startedAt})`,
    });
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, `${JSON.stringify(fit.thresholds, null, 2)}\n`);
    const notes = [
      ...(partial === null ? [] : [`the run was partial (${partial}): findings it did not run keep ${baseFile ?? 'the paper defaults'}`]),
      ...fit.fitted.filter((f) => f.mixed.length > 0).map((f) => `${f.mixed.join(', ')}: held in some assertions and not in others; kept the earlier expectation (move a threshold, or narrow the property)`),
      ...fit.unknown.map((k) => `${k}: not a finding this version knows; skipped`),
    ];
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ out: values.out, base: baseFile ?? null, from: values.from, findings: fit.fitted, notes }, null, 2)}\n`);
      return;
    }
    const rows = fit.fitted.map((f) => {
      const others = Object.entries(f.expectedFor).map(([l, e]) => `${l}: ${e}`);
      const expected = others.length === 0 ? f.expected : `${f.expected} (${others.join(', ')})`;
      return [f.finding, `${f.held} of ${f.assertions}`, f.mixed.length > 0 ? `${expected}, mixed: kept` : expected];
    });
    const table = formatTable(
      [
        { header: 'finding', align: 'left' },
        { header: 'assertions held', align: 'right' },
        { header: 'expected', align: 'left' },
      ],
      rows,
    );
    io.stdout.write(
      `regions thresholds · from ${values.from}${baseFile === undefined ? '' : ` · base ${baseFile}`}\n\n${table}\n` +
        notes.map((n) => `note: ${n}\n`).join('') +
        `wrote ${values.out}\n`,
    );
  },
});
