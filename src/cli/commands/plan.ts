import { availableParallelism, cpus } from 'node:os';
import { defineCommand, option, optional, withDefault } from '../args.js';
import { checkpointOption, engineOption, peekConfig, threadsOption } from '../open-model.js';
import { formatTable } from '../../util/table.js';

const options = {
  checkpoint: checkpointOption,
  batchSize: optional(option.count('N', 'windows per pass', 1), "the plugin's, 8"),
  seqLen: optional(option.count('N', 'tokens per window, BOS included', 2), "the plugin's, 128"),
  languages: withDefault(option.count('N', 'evaluation languages (the UDHR texts: 30)', 1), 30),
  maxTokens: optional(option.count('N', 'tokens scored per evaluation language (the plugin\'s evalTokens)', 1), "the plugin's, 2,048"),
  importanceTokens: optional(option.count('N', 'tokens of training text importance reads per language', 1), "the plugin's, 16,384"),
  steps: optional(option.count('N', 'further pre-training steps of finding 4', 1), "finding 4's, 200"),
  backend: engineOption,
  threads: threadsOption,
  json: option.flag('print JSON instead of a table'),
};

/** `regions plan --checkpoint DIR`: what each job would hold and take on this machine, before a weight is read. */
export const planCommand = defineCommand({
  name: 'plan',
  summary: 'what each job would hold in memory and how long it would take here, before anything runs',
  description:
    'Reads config.json only (no weight) and measures this machine for about a second — ONNX Runtime\'s float32 MatMul ' +
    'on --threads threads, timed with tinybench — then prints, for the jobs a user runs (regions ppl, regions importance, ' +
    'the specs\' warm-up, one perturbation measured, one further pre-training run of finding 4), the parameters, the peak ' +
    'memory by the one memory model the CLI, the plugin and the trainer check against, the time estimated from the ' +
    'operations and the measured rate, and what would not fit or would take longer than a day, with the cheaper setting ' +
    'that would. The settings default to the plugin\'s (evalTokens, importanceTokens, the six region languages) and ' +
    'finding 4\'s thresholds.',
  options,
  async run(values, io) {
    const [{ measureMatmulRate }, { availableMemory, parameterCount }, { planDefaults, planJobs, formatDuration }, { resolveEngineName, isTfjsBackend }] = await Promise.all([
      import('../../engine/cost.js'),
      import('../../engine/memory.js'),
      import('../../plan/plan.js'),
      import('../../engine/select.js'),
    ]);
    const config = peekConfig(values.checkpoint);
    const defaults = planDefaults();
    const settings = {
      ...defaults,
      engine: isTfjsBackend(resolveEngineName(values.backend)) ? ('tfjs' as const) : ('onnxruntime' as const),
      batch: values.batchSize ?? defaults.batch,
      seqLen: Math.min(values.seqLen ?? defaults.seqLen, config.maxPositionEmbeddings),
      languages: values.languages,
      evalTokens: values.maxTokens ?? defaults.evalTokens,
      importanceTokens: values.importanceTokens ?? defaults.importanceTokens,
      training: { ...defaults.training, steps: values.steps ?? defaults.training.steps },
    };
    const rate = await measureMatmulRate({ threads: values.threads });
    const available = availableMemory();
    const rows = planJobs(config, settings, { available: available.bytes, gflops: rate.gflops });
    const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
    const parameters = parameterCount(config);
    if (values.json) {
      const json = {
        checkpoint: values.checkpoint,
        parameters,
        settings,
        machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), threads: values.threads, available_bytes: available.bytes, available_source: available.source, matmul: rate },
        jobs: rows.map((r) => ({ job: r.job, peak_bytes: r.memory.total, parts: r.memory.parts, fits: r.fits, seconds: r.seconds, gradient_slices: r.slices, problem: r.problem, cheaper: r.cheaper })),
      };
      io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      return;
    }
    const table = formatTable(
      [
        { header: 'job', align: 'left' },
        { header: 'peak memory', align: 'right' },
        { header: 'time here', align: 'right' },
        { header: '', align: 'left' },
      ],
      rows.map((r) => [
        r.job,
        gib(r.memory.total),
        r.fits ? `~${formatDuration(r.seconds)}` : '—',
        (r.problem === null ? 'ok' : `✗ ${r.problem}`) + (r.slices === 1 ? '' : r.fits ? ` (gradients in ${r.slices} slices)` : ` (even with the gradients in ${r.slices} slices)`),
      ]),
    );
    const notes = rows.filter((r) => r.cheaper !== null).map((r) => `  ${r.job.replace(/ \(.*$/, '')}: ${r.cheaper}`);
    io.stdout.write(
      `regions plan · ${values.checkpoint} · ${parameters.toLocaleString('en-US')} parameters (${config.modelType}, ${config.numLayers} layers, d ${config.hiddenSize}, vocab ${config.vocabSize.toLocaleString('en-US')})\n` +
        `this machine: ${gib(available.bytes)} available (${available.source}); float32 MatMul ${rate.gflops.toFixed(0)} GFLOP/s on ${values.threads} thread${values.threads === 1 ? '' : 's'} ` +
        `(${rate.shape.join('×')}, ±${rate.rme.toFixed(1)}%, ${rate.samples} runs)\n\n${table}\n` +
        (notes.length === 0 ? '' : `\ncheaper settings that would fit or finish within the hour:\n${notes.join('\n')}\n`) +
        '\nEstimates: memory by src/engine/memory.ts, time from the operations at the measured rate (docs/performance.md, "Memory and plan", says how close both came on the real-size shapes).\n',
    );
  },
});
