import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { expectedWeightShapes, type ModelConfig } from '../../checkpoint/config.js';
import { CheckpointError } from '../../checkpoint/errors.js';
import { checkpointHash } from '../../checkpoint/hash.js';
import { loadCheckpoint } from '../../checkpoint/load.js';
import { readTexts } from '../../corpus/texts.js';
import { textWindows } from '../../corpus/windows.js';
import { cachedImportance, DEFAULT_IMPORTANCE_CACHE_DIR } from '../../importance/cache.js';
import { saveImportance } from '../../importance/io.js';
import { IMPORTANCE_DEFAULTS } from '../../importance/settings.js';
import type { ImportanceText } from '../../importance/windows.js';
import { assertFits, IMPORTANCE_PASS } from '../../engine/memory.js';
import { isTfjsBackend, openForward, plannedEngine, resolveEngineName, type OpenedForward } from '../../engine/select.js';
import { loadTokenizer } from '../../tokenizer/tokenizer.js';
import { defineCommand, option, optional, UsageError, withDefault, type Option, type Values } from '../args.js';
import type { CliIo } from '../io.js';
import { checkpointOption, engineOption, peekConfig } from '../open-model.js';
import { withProgress } from '../progress.js';
import { readWindowsFile } from '../windows-file.js';
import { InterruptedError } from '../../util/interrupt.js';

/** A path to write to (created when missing). */
const pathToWrite = (placeholder: string, description: string): Option<string> => ({
  kind: 'string',
  placeholder,
  description,
  required: true,
  schema: z.string().min(1, 'must name a file'),
});

const options = {
  checkpoint: checkpointOption,
  language: optional(
    {
      kind: 'string',
      placeholder: 'LANG',
      description: 'language code of the text (its <lang>.txt in --texts), recorded in the output',
      required: true,
      schema: z.string().regex(/^[\w-]+$/, 'must be a language code like zh'),
    } satisfies Option<string>,
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
  threads: withDefault(option.count('N', 'ONNX Runtime intra-op threads (results are bit-identical for a fixed count)', 1), 2),
  noCache: option.flag('compute even when the cache holds the result, and do not cache it'),
  cacheDir: withDefault(pathToWrite('DIR', 'importance cache folder'), DEFAULT_IMPORTANCE_CACHE_DIR),
  method: withDefault(option.choice('METHOD', "gradient: the paper's |θ ⊙ g|; wanda: Wanda's |W|·‖X‖₂ of the linear weights (forward only, not cached)", ['gradient', 'wanda']), 'gradient'),
  backend: engineOption,
  out: pathToWrite('FILE', 'safetensors file to write: one float32 tensor per weight under its HF name'),
};

/** The text to score: exactly one of --texts and --windows. */
function chooseInput(values: Values<typeof options>, checkpointDir: string, config: ModelConfig): { language: string } & ImportanceText {
  if ((values.texts === undefined) === (values.windows === undefined)) {
    throw new UsageError('give either --texts (a folder of <lang>.txt) or --windows (a JSON file of token windows), not both or neither');
  }
  if (values.windows !== undefined) {
    // Only a label here: it names the cache file and is recorded in the output.
    const language = values.language ?? (basename(values.windows).replace(/\.json$/i, '').replace(/[^\w-]/g, '_') || 'windows');
    return { language, windows: readWindowsFile(values.windows, config.vocabSize) };
  }
  if (values.language === undefined) throw new UsageError('--language is required with --texts (which <lang>.txt to score)');
  const language = values.language;
  if (values.seqLen > config.maxPositionEmbeddings) {
    throw new UsageError(`--seq-len ${values.seqLen} exceeds the model's max_position_embeddings (${config.maxPositionEmbeddings})`);
  }
  const text = readTexts(values.texts!, [language]).get(language)!;
  const tokenizerFile = join(checkpointDir, 'tokenizer.json');
  let tokenizer;
  try {
    tokenizer = loadTokenizer(tokenizerFile, { bosId: config.bosTokenId, eosId: config.eosTokenId });
  } catch (err) {
    throw new CheckpointError(checkpointDir, `importance on --texts needs the checkpoint's tokenizer.json (${(err as Error).message})`);
  }
  return { language, text, tokenizer };
}

/** `regions importance --method wanda`: Wanda's scores of the linear weights over the same windows (not cached: one forward pass each). */
async function runWanda(values: Values<typeof options>, io: CliIo, config: ModelConfig, input: { language: string; checkpointHash: string } & ImportanceText): Promise<void> {
  const engineName = resolveEngineName(values.backend);
  const windows = 'windows' in input ? input.windows : textWindows(input.text, input.tokenizer, { seqLen: values.seqLen, maxTokens: values.maxTokens }).windows;
  if (windows.length === 0) throw new UsageError('the text has no tokens to score');
  const onTfjs = isTfjsBackend(engineName);
  // The weights (a tfjs backend uploads its own copy first) and one batch's activations.
  assertFits(values.checkpoint, config, { copies: onTfjs ? 2 : 1, copiesAre: onTfjs ? 'weights (twice)' : 'weights', tokens: values.batchSize * values.seqLen });
  const started = performance.now();
  const ckpt = loadCheckpoint(values.checkpoint);
  const opened = await openForward(ckpt.config, ckpt.weights, engineName, { threads: values.threads });
  if (onTfjs) ckpt.weights.clear(); // the tfjs model holds its own copy now
  try {
    const { wandaImportance } = await import('../../importance/wanda.js');
    const { isObservable } = await import('../../model/observe.js');
    if (!isObservable(opened.model)) throw new UsageError(`--method wanda: the ${opened.info.name} model offers no linear inputs to observe`);
    const map = await wandaImportance(opened.model, windows, {
      batchSize: values.batchSize,
      languages: [input.language],
      provenance: { checkpoint: input.checkpointHash, language: input.language, backend: opened.info.name },
    });
    mkdirSync(dirname(values.out), { recursive: true });
    saveImportance(values.out, map);
    const parameters = [...map.scores.values()].reduce((n, s) => n + s.data.length, 0);
    io.stdout.write(
      `regions importance --method wanda · checkpoint ${values.checkpoint} · language ${input.language}\n` +
        `${map.provenance.windows} windows, ${map.provenance.tokens} tokens; |W|·‖X‖₂ in ${((performance.now() - started) / 1000).toFixed(1)} s on ${opened.info.name}\n` +
        `wrote ${values.out} (${map.scores.size} linear weights, ${parameters} parameters)\n`,
    );
  } finally {
    await opened.close();
  }
}

/** `regions importance`: |θ ⊙ g| of every parameter for one language, cached. */
export const importanceCommand = defineCommand({
  name: 'importance',
  summary: 'importance |θ ⊙ g| of every parameter for one language',
  description:
    'Importance of every parameter of the checkpoint for one language, as the paper measures it: |θ ⊙ g|, ' +
    'with g the gradient of the sum over windows of each window\'s mean next-token NLL, accumulated at fixed ' +
    'weights. The text is the first --max-tokens tokens of <lang>.txt in --texts, cut into windows of ' +
    '--seq-len tokens starting with BOS; or, with --windows, exactly the token windows of that file. ' +
    'Gradients run on ONNX Runtime (--threads intra-op threads), or in-process on a tfjs backend named by --backend. The result is cached under --cache-dir by the content hash of the ' +
    'checkpoint, the token windows and the settings, so a second run reads it back. Writes --out: one ' +
    'float32 tensor per weight under its HF name, provenance in __metadata__.',
  options,
  async run(values, io) {
    const dir = values.checkpoint;
    const config = peekConfig(dir);
    const input = { ...chooseInput(values, dir, config), checkpointHash: checkpointHash(dir) };
    if (values.method === 'wanda') return runWanda(values, io, config, input);
    const shapes = expectedWeightShapes(config);
    const engineName = resolveEngineName(values.backend);
    const onTfjs = isTfjsBackend(engineName);
    let opened: OpenedForward | undefined;
    const started = performance.now();
    // The engine the cache key names: known before loading the model (a tfjs backend starts without one).
    const planned = await plannedEngine(engineName, values.threads);
    try {
      const result = await withProgress(io.stderr, `importance of ${input.language}`, 'windows', (onProgress) =>
        cachedImportance(
          {
            shapes,
            engine: planned,
            start: async () => {
              // The weights (a tfjs backend holds a second copy) and one importance pass, as the subject checks.
              assertFits(dir, config, {
                copies: onTfjs ? 2 : 1,
                copiesAre: onTfjs ? 'weights (twice)' : 'weights',
                also: [IMPORTANCE_PASS],
                tokens: values.batchSize * values.seqLen,
              });
              const ckpt = loadCheckpoint(dir);
              opened = await openForward(ckpt.config, ckpt.weights, engineName, { threads: values.threads });
              if (onTfjs) ckpt.weights.clear(); // the tfjs model holds its own copy now
              return opened.model;
            },
          },
          input,
          {
            maxTokens: values.maxTokens,
            seqLen: values.seqLen,
            batchSize: values.batchSize,
            cache: !values.noCache,
            cacheDir: values.cacheDir,
            onProgress,
          },
        ),
      );
      mkdirSync(dirname(values.out), { recursive: true });
      saveImportance(values.out, result.map);
      const p = result.map.provenance;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const how =
        result.source === 'cache'
          ? `read from the cache ${result.file}`
          : `computed in ${seconds} s on ${p.backend}${result.file === null ? '' : `, cached as ${result.file}`}`;
      const rejected = result.rejected === undefined ? '' : `(the cached file was not used: ${result.rejected})\n`;
      const parameters = [...result.map.scores.values()].reduce((n, s) => n + s.data.length, 0);
      io.stdout.write(
        `regions importance · checkpoint ${dir} · language ${input.language}\n${rejected}` +
          `${p.windows} windows, ${p.tokens} tokens predicted, mean window NLL ${Number(p.mean_window_nll).toFixed(4)} nats; ${how}\n` +
          `wrote ${values.out} (${result.map.scores.size} tensors, ${parameters} parameters)\n`,
      );
    } catch (err) {
      // The map is cached and written only once complete: an interrupted run leaves neither.
      if (err instanceof InterruptedError) throw err.withOutcome(`${values.noCache ? 'nothing' : 'nothing was cached and'} ${values.out} was not written`);
      throw err;
    } finally {
      await opened?.close();
    }
  },
});
