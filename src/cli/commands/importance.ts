import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { expectedWeightShapes, type ModelConfig } from '../../checkpoint/config.js';
import { CheckpointError } from '../../checkpoint/errors.js';
import { checkpointHash as hashCheckpoint } from '../../checkpoint/hash.js';
import { loadCheckpoint } from '../../checkpoint/load.js';
import { readTexts } from '../../corpus/texts.js';
import { textWindows } from '../../corpus/windows.js';
import { cachedImportance, DEFAULT_IMPORTANCE_CACHE_DIR } from '../../importance/cache.js';
import { saveImportance } from '../../importance/io.js';
import { IMPORTANCE_DEFAULTS } from '../../importance/settings.js';
import type { ImportanceText } from '../../importance/windows.js';
import { assertFits, availableMemory, gradientPasses, importanceSlices, type MemoryJob } from '../../engine/memory.js';
import { isTfjsBackend, openForward, plannedEngine, resolveEngineName, type OpenedForward } from '../../engine/select.js';
import { loadTokenizer } from '../../tokenizer/tokenizer.js';
import { defineCommand, option, optional, UsageError, withDefault, type Values } from '../args.js';
import type { CliIo } from '../io.js';
import { checkpointOption, engineOption, languagesIn, peekConfig, threadsOption } from '../open-model.js';
import { withProgress } from '../progress.js';
import { readWindowsFile } from '../windows-file.js';
import { InterruptedError } from '../../util/interrupt.js';

const options = {
  checkpoint: checkpointOption,
  languages: optional(
    option.languages('languages to score, each its <lang>.txt in --texts; with --windows, one label recorded in the output'),
    'required with --texts; with --windows, the file name without .json',
  ),
  texts: optional(option.texts('folder of texts, one <lang>.txt per language'), 'none; then --windows is required'),
  windows: optional(
    option.path('file', 'JSON list of token-id windows to score exactly as given, instead of --texts'),
    'none; then --texts is required',
  ),
  maxTokens: withDefault(option.count('N', 'score the first N tokens of the text (the paper: 10k–100k samples)', 1), IMPORTANCE_DEFAULTS.maxTokens),
  seqLen: withDefault(option.count('N', 'tokens per window, BOS included', 2), IMPORTANCE_DEFAULTS.seqLen),
  batchSize: withDefault(option.count('N', 'windows per forward/backward pass', 1), IMPORTANCE_DEFAULTS.batchSize),
  gradientSlices: optional(
    option.count('N', 'compute the gradients in N slices of the weights, one after another: a pass holds 1/N of them, for up to N times the time; the map is the same bit for bit', 1),
    'the fewest that fit the memory available',
  ),
  threads: threadsOption,
  noCache: option.flag('compute even when the cache holds the result, and do not cache it'),
  cacheDir: withDefault(option.output('DIR', 'importance cache folder'), DEFAULT_IMPORTANCE_CACHE_DIR),
  method: withDefault(option.choice('METHOD', "gradient: the paper's |θ ⊙ g|; wanda: Wanda's |W|·‖X‖₂ of the linear weights (forward only, not cached)", ['gradient', 'wanda']), 'gradient'),
  backend: engineOption,
  out: option.output('FILE', 'safetensors file to write (one float32 tensor per weight under its HF name); with several --languages a folder, one <lang>.safetensors each'),
  json: option.flag('print JSON instead of text'),
};

type ImportanceValues = Values<typeof options>;

/** One language's text (or the given windows) and where its map goes. */
type Job = { language: string; out: string } & ImportanceText;

/** What was written for one language, as the output reports it. */
interface Written {
  language: string;
  out: string;
  method: 'gradient' | 'wanda';
  windows: number;
  tokens: number;
  tensors: number;
  parameters: number;
  /** Mean window NLL in nats (gradient importance only). */
  meanWindowNll: number | null;
  backend: string;
  source: 'computed' | 'cache';
  /** The cache file read or written; null when not cached. */
  cacheFile: string | null;
  /** Why a cached file was not used, if one was found and refused. */
  rejected: string | null;
  seconds: number;
  /** Slices the gradients were computed in; null when read from the cache or for Wanda. */
  slices: number | null;
}

/** The texts to score, one job per language: exactly one of --texts and --windows. */
function chooseJobs(values: ImportanceValues, checkpointDir: string, config: ModelConfig): Job[] {
  if ((values.texts === undefined) === (values.windows === undefined)) {
    throw new UsageError('give either --texts (a folder of <lang>.txt) or --windows (a JSON file of token windows), not both or neither');
  }
  if (values.windows !== undefined) {
    if ((values.languages?.length ?? 0) > 1) throw new UsageError('--languages: --windows is one text; name at most one language (its label)');
    // Only a label here: it names the cache file and is recorded in the output.
    const language = values.languages?.[0] ?? (basename(values.windows).replace(/\.json$/i, '').replace(/[^\w-]/g, '_') || 'windows');
    return [{ language, out: values.out, windows: readWindowsFile(values.windows, config.vocabSize) }];
  }
  if (values.languages === undefined) throw new UsageError('--languages is required with --texts (which <lang>.txt to score)');
  const languages = languagesIn(values.texts!, values.languages);
  if (values.seqLen > config.maxPositionEmbeddings) {
    throw new UsageError(`--seq-len ${values.seqLen} exceeds the model's max_position_embeddings (${config.maxPositionEmbeddings})`);
  }
  const texts = readTexts(values.texts!, languages);
  const tokenizerFile = join(checkpointDir, 'tokenizer.json');
  let tokenizer;
  try {
    tokenizer = loadTokenizer(tokenizerFile, { bosId: config.bosTokenId, eosId: config.eosTokenId });
  } catch (err) {
    throw new CheckpointError(checkpointDir, `importance on --texts needs the checkpoint's tokenizer.json (${(err as Error).message})`);
  }
  // One language: --out is the file; several: --out is a folder of <lang>.safetensors.
  const outOf = (language: string) => (languages.length === 1 ? values.out : join(values.out, `${language}.safetensors`));
  return languages.map((language) => ({ language, out: outOf(language), text: texts.get(language)!, tokenizer }));
}

/** The model, loaded and opened the first time a job needs it (a cached map needs none), and closed once. */
class LazyModel {
  private opened: OpenedForward | undefined;
  /** What the job holds at its peak (../../engine/memory.ts): the weights and gradient passes in `slices`, or Wanda's forward passes. */
  private readonly job: MemoryJob;
  /** Slices importance computes the gradients in: --gradient-slices, else the fewest that fit the memory available now. */
  readonly slices: number;
  constructor(
    private readonly values: ImportanceValues,
    readonly config: ModelConfig,
    also: 'importance' | 'forward',
  ) {
    const engine = isTfjsBackend(resolveEngineName(values.backend)) ? 'tfjs' : 'onnxruntime';
    const shape = { batch: values.batchSize, seqLen: Math.min(values.seqLen, config.maxPositionEmbeddings) };
    const importance = { kind: 'importance', engine, maps: 0, gradientPasses: gradientPasses(values.maxTokens, shape.batch, shape.seqLen), ...shape } as const;
    this.slices = values.gradientSlices ?? importanceSlices(config, importance, availableMemory().bytes);
    this.job = also === 'importance' ? { ...importance, slices: this.slices } : { kind: 'forward', engine, ...shape };
  }

  async get(): Promise<OpenedForward> {
    if (this.opened !== undefined) return this.opened;
    const { values, config } = this;
    const engineName = resolveEngineName(values.backend);
    const onTfjs = isTfjsBackend(engineName);
    assertFits(values.checkpoint, config, this.job);
    const ckpt = loadCheckpoint(values.checkpoint);
    this.opened = await openForward(ckpt.config, ckpt.weights, engineName, { threads: values.threads });
    if (onTfjs) ckpt.weights.clear(); // the tfjs model holds its own copy now
    return this.opened;
  }

  async close(): Promise<void> {
    await this.opened?.close();
  }
}

const parameterCount = (scores: ReadonlyMap<string, { data: { length: number } }>): number => [...scores.values()].reduce((n, s) => n + s.data.length, 0);

/** Wanda's scores of the linear weights over the job's windows (not cached: one forward pass). */
async function runWanda(values: ImportanceValues, job: Job, checkpointHash: string, lazy: LazyModel): Promise<Written> {
  const windows = 'windows' in job ? job.windows : textWindows(job.text, job.tokenizer, { seqLen: values.seqLen, maxTokens: values.maxTokens }).windows;
  if (windows.length === 0) throw new UsageError(`--languages: the text of ${job.language} has no tokens to score`);
  const started = performance.now();
  const opened = await lazy.get();
  const { wandaImportance } = await import('../../importance/wanda.js');
  const map = await wandaImportance(opened.model, windows, {
    batchSize: values.batchSize,
    languages: [job.language],
    provenance: { checkpoint: checkpointHash, language: job.language, backend: opened.info.name },
  });
  mkdirSync(dirname(job.out), { recursive: true });
  saveImportance(job.out, map);
  return {
    language: job.language,
    out: job.out,
    method: 'wanda',
    windows: Number(map.provenance.windows),
    tokens: Number(map.provenance.tokens),
    tensors: map.scores.size,
    parameters: parameterCount(map.scores),
    meanWindowNll: null,
    backend: opened.info.name,
    source: 'computed',
    cacheFile: null,
    rejected: null,
    seconds: (performance.now() - started) / 1000,
    slices: null,
  };
}

/** |θ ⊙ g| over the job's windows, read from the cache or computed (and cached). */
async function runGradient(values: ImportanceValues, job: Job, checkpointHash: string, lazy: LazyModel, planned: Awaited<ReturnType<typeof plannedEngine>>, io: CliIo): Promise<Written> {
  const started = performance.now();
  const shapes = expectedWeightShapes(lazy.config);
  const result = await withProgress(io.stderr, `importance of ${job.language}`, 'windows', (onProgress) =>
    cachedImportance(
      { shapes, engine: planned, start: async () => (await lazy.get()).model },
      { ...job, checkpointHash },
      { maxTokens: values.maxTokens, seqLen: values.seqLen, batchSize: values.batchSize, gradientSlices: lazy.slices, cache: !values.noCache, cacheDir: values.cacheDir, onProgress },
    ),
  );
  mkdirSync(dirname(job.out), { recursive: true });
  saveImportance(job.out, result.map);
  const p = result.map.provenance;
  return {
    language: job.language,
    out: job.out,
    method: 'gradient',
    windows: Number(p.windows),
    tokens: Number(p.tokens),
    tensors: result.map.scores.size,
    parameters: parameterCount(result.map.scores),
    meanWindowNll: Number(p.mean_window_nll),
    backend: String(p.backend),
    source: result.source,
    cacheFile: result.file,
    rejected: result.rejected ?? null,
    seconds: (performance.now() - started) / 1000,
    slices: result.source === 'computed' ? lazy.slices : null,
  };
}

function writtenText(values: ImportanceValues, w: Written): string {
  if (w.method === 'wanda') {
    return (
      `regions importance --method wanda · checkpoint ${values.checkpoint} · language ${w.language}\n` +
      `${w.windows} windows, ${w.tokens} tokens; |W|·‖X‖₂ in ${w.seconds.toFixed(1)} s on ${w.backend}\n` +
      `wrote ${w.out} (${w.tensors} linear weights, ${w.parameters} parameters)\n`
    );
  }
  const how =
    w.source === 'cache'
      ? `read from the cache ${w.cacheFile}`
      : `computed in ${w.seconds.toFixed(1)} s on ${w.backend}${w.slices === null || w.slices === 1 ? '' : ` in ${w.slices} slices of the weights`}${w.cacheFile === null ? '' : `, cached as ${w.cacheFile}`}`;
  const rejected = w.rejected === null ? '' : `(the cached file was not used: ${w.rejected})\n`;
  return (
    `regions importance · checkpoint ${values.checkpoint} · language ${w.language}\n${rejected}` +
    `${w.windows} windows, ${w.tokens} tokens predicted, mean window NLL ${w.meanWindowNll!.toFixed(4)} nats; ${how}\n` +
    `wrote ${w.out} (${w.tensors} tensors, ${w.parameters} parameters)\n`
  );
}

function writtenJson(values: ImportanceValues, written: readonly Written[]): string {
  const json = {
    checkpoint: values.checkpoint,
    method: values.method,
    seq_len: values.seqLen,
    max_tokens: values.maxTokens,
    batch_size: values.batchSize,
    languages: written.map((w) => ({
      language: w.language,
      out: w.out,
      windows: w.windows,
      tokens: w.tokens,
      tensors: w.tensors,
      parameters: w.parameters,
      mean_window_nll: w.meanWindowNll,
      backend: w.backend,
      source: w.source,
      cache_file: w.cacheFile,
      rejected: w.rejected,
      seconds: w.seconds,
      gradient_slices: w.slices,
    })),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** `regions importance`: |θ ⊙ g| of every parameter for one language, cached. */
export const importanceCommand = defineCommand({
  name: 'importance',
  summary: 'importance |θ ⊙ g| of every parameter, per language',
  description:
    'Importance of every parameter of the checkpoint for each of --languages, as the paper measures it: |θ ⊙ g|, ' +
    'with g the gradient of the sum over windows of each window\'s mean next-token NLL, accumulated at fixed ' +
    'weights. The text is the first --max-tokens tokens of <lang>.txt in --texts, cut into windows of ' +
    '--seq-len tokens starting with BOS; or, with --windows, exactly the token windows of that file. ' +
    'Gradients run on ONNX Runtime (--threads intra-op threads), or in-process on a tfjs backend named by --backend. The result is cached under --cache-dir by the content hash of the ' +
    'checkpoint, the token windows and the settings, so a second run reads it back. Writes --out: one ' +
    'float32 tensor per weight under its HF name, provenance in __metadata__; with several languages, --out is a ' +
    'folder holding <lang>.safetensors for each (the model is loaded once, and only if a map is not cached).',
  options,
  async run(values, io) {
    const dir = values.checkpoint;
    const config = peekConfig(dir);
    const jobs = chooseJobs(values, dir, config);
    const checkpointHash = hashCheckpoint(dir);
    const lazy = new LazyModel(values, config, values.method === 'gradient' ? 'importance' : 'forward');
    // The engine the cache key names: known before loading the model (a tfjs backend starts without one).
    const planned = values.method === 'gradient' ? await plannedEngine(resolveEngineName(values.backend), values.threads) : null;
    const written: Written[] = [];
    try {
      for (const job of jobs) {
        const w = values.method === 'wanda' ? await runWanda(values, job, checkpointHash, lazy) : await runGradient(values, job, checkpointHash, lazy, planned, io);
        written.push(w);
        if (!values.json) io.stdout.write(writtenText(values, w));
      }
      if (values.json) io.stdout.write(writtenJson(values, written));
    } catch (err) {
      // A map is cached and written only once complete: an interrupted run leaves neither for the language it was on.
      if (err instanceof InterruptedError) {
        const done = written.length === 0 ? '' : ` (${written.map((w) => w.out).join(', ')} were written)`;
        throw err.withOutcome(`${values.noCache ? 'nothing' : 'nothing was cached and'} ${jobs[written.length]?.out ?? values.out} was not written${done}`);
      }
      throw err;
    } finally {
      await lazy.close();
    }
  },
});
