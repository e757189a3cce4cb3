import { compareResults, COMPARE_DEFAULTS, formatComparison, refusePartialBaseline } from '../../report/compare.js';
import { loadResults } from '../../report/results.js';
import { defineCommand, option, withDefault } from '../args.js';

const options = {
  baseline: option.path('file', 'results.json of the run to compare against (e.g. the last main-branch run)'),
  current: option.path('file', 'results.json of the run under test (e.g. a new checkpoint)'),
  pplTolerance: withDefault(option.decimal('X', "largest allowed relative rise of a language's baseline perplexity", { min: 0 }), COMPARE_DEFAULTS.pplTolerance),
  minJaccard: withDefault(option.decimal('X', "smallest allowed Jaccard overlap of the core region with the baseline's", { min: 0, max: 1 }), COMPARE_DEFAULTS.minJaccard),
  json: option.flag('print the comparison as JSON instead of tables'),
};

/** `regions compare`: exit 1 when a finding flipped, a perplexity regressed or the core region moved. */
export const compareCommand = defineCommand({
  name: 'compare',
  summary: 'compare two results.json files: flipped findings, perplexity regressions, a moved core region',
  description:
    'Compares the results.json of a run (--current) with a baseline run (--baseline), as written by the ' +
    "vitest-regions reporter. A regression is: an assertion that passed and now fails or the reverse (the thresholds " +
    "file's expectation is then out of date), or that the current run no longer made (\"missing\"); a language whose baseline " +
    'perplexity rose by more than --ppl-tolerance (relative) and, where both runs carry its 95% interval over the evaluation windows, ' +
      'by more than that noise (the intervals do not overlap); or a core region whose Jaccard overlap with the ' +
    "baseline's is below --min-jaccard (exact for regions up to 50,000 entries, else estimated from a 1024-hash " +
    'sketch, ±0.016). A finding only the current run made is listed as new, not compared. The baseline must be a complete ' +
    'run: a partial one (some spec files, a -t filter, a shard, an interrupted run; results.json says so in `run`) is refused. ' +
    'Prints one table per kind of check and exits 1 on any regression, 0 otherwise.',
  options,
  async run(values, io) {
    const baseline = loadResults(values.baseline);
    refusePartialBaseline(baseline, values.baseline);
    const comparison = compareResults(baseline, loadResults(values.current), {
      pplTolerance: values.pplTolerance,
      minJaccard: values.minJaccard,
    });
    io.stdout.write(values.json ? `${JSON.stringify(comparison, null, 2)}\n` : formatComparison(comparison, { baseline: values.baseline, current: values.current }));
    if (!comparison.ok) {
      throw new Error(`${comparison.regressions} regression${comparison.regressions === 1 ? '' : 's'} against ${values.baseline}`);
    }
  },
});
