import { compareResults, COMPARE_DEFAULTS, formatComparison, refusePartialBaseline } from '../../report/compare.js';
import { loadResults } from '../../report/results.js';
import { defineCommand, option, optional, UsageError, withDefault } from '../args.js';

const options = {
  baseline: optional(option.path('file', 'results.json of the run to compare against (e.g. the last main-branch run)'), 'required without --runs'),
  current: optional(option.path('file', 'results.json of the run under test (e.g. a new checkpoint)'), 'required without --runs'),
  runs: optional(option.files('results.json files of a series of runs, in order (a training run\'s checkpoints, weekly releases): drift instead of a pass/fail comparison', 2), 'none'),
  pplTolerance: withDefault(option.decimal('X', "largest allowed relative rise of a language's baseline perplexity", { min: 0 }), COMPARE_DEFAULTS.pplTolerance),
  minJaccard: withDefault(option.decimal('X', "smallest allowed Jaccard overlap of the core region with the baseline's", { min: 0, max: 1 }), COMPARE_DEFAULTS.minJaccard),
  json: option.flag('print the comparison as JSON instead of tables'),
};

/** `regions compare`: exit 1 when a finding flipped, a perplexity regressed or the core region moved. */
export const compareCommand = defineCommand({
  name: 'compare',
  summary: 'compare two results.json files (flipped findings, perplexity regressions, a moved core region), or a series of runs',
  description:
    'Compares the results.json of a run (--current) with a baseline run (--baseline), as written by the ' +
    "vitest-regions reporter. A regression is: an assertion that passed and now fails or the reverse (the thresholds " +
    "file's expectation is then out of date), or that the current run no longer made (\"missing\"); a language whose baseline " +
    'perplexity rose by more than --ppl-tolerance (relative) and, where both runs carry its 95% interval over the evaluation windows, ' +
      'by more than that noise (the intervals do not overlap); or a core region whose Jaccard overlap with the ' +
    "baseline's is below --min-jaccard (exact for regions up to 50,000 entries, else estimated from a 1024-hash " +
    'sketch, ±0.016). A finding only the current run made is listed as new, not compared. The baseline must be a complete ' +
    'run: a partial one (some spec files, a -t filter, a shard, an interrupted run; results.json says so in `run`) is refused. ' +
    'Prints one table per kind of check and exits 1 on any regression, 0 otherwise. With --runs A,B,C instead: drift over a ' +
    "series in order — per finding its verdict and the region's median ratio over languages (with the medians of the 95% " +
    "intervals) run by run, and per core region its Jaccard overlap with the first run's and the previous run's; descriptive, exit 0.",
  options,
  async run(values, io) {
    if (values.runs !== undefined) {
      if (values.baseline !== undefined || values.current !== undefined) throw new UsageError('--runs compares a series: give it without --baseline and --current');
      const { seriesOf, formatSeries } = await import('../../report/series.js');
      const series = seriesOf(values.runs.map((file) => ({ name: file, results: loadResults(file) })));
      io.stdout.write(values.json ? `${JSON.stringify(series, null, 2)}\n` : formatSeries(series));
      return;
    }
    if (values.baseline === undefined || values.current === undefined) throw new UsageError('give --baseline FILE and --current FILE (or --runs A,B,C for a series)');
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
