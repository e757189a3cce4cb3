import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { listLanguages } from '../corpus/texts.js';
import type { BackendName } from '../engine/tfjs/select.js';
import { readModelConfig, type ModelConfig } from '../checkpoint/config.js';
import type { ForwardModel } from '../model/forward-model.js';
import type { Perturbable } from '../model/perturbable.js';
import { ENGINE_NAMES, type EngineInfo, type EngineName } from '../engine/select.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';
import { option, optional, UsageError, withDefault } from './args.js';
import type { CliIo } from './io.js';
import { withProgress } from './progress.js';

const BACKENDS: readonly [BackendName, ...BackendName[]] = ['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu'];
const ENGINES = ENGINE_NAMES as unknown as readonly [EngineName, ...EngineName[]];

/** `--checkpoint DIR`, which every command takes. */
export const checkpointOption = option.path('folder', 'HuggingFace checkpoint folder (config.json, *.safetensors, tokenizer.json)');

/** `--backend NAME` of the commands that need tfjs (`regions importance`: its gradients still run in a tfjs worker pool). */
export const backendOption = optional(option.choice('NAME', 'engine: ONNX Runtime (auto, ort-cpu, ort-webgpu, ort-cuda) or a tfjs backend', BACKENDS), '$REGIONS_BACKEND, else auto');

/** `--backend NAME` of the forward-only commands: ONNX Runtime by default, or a tfjs backend by name. */
export const engineOption = optional(
  option.choice('NAME', 'engine (ort*: ONNX Runtime; the others: tfjs)', ENGINES),
  '$REGIONS_BACKEND, else auto = ort',
);

/** `--threads N` of every command that runs the model: ONNX Runtime's intra-op threads, the machine's cores by default. */
export const threadsOption = {
  ...withDefault(option.count('N', 'ONNX Runtime intra-op threads (results are bit-identical for a fixed count)', 1), availableParallelism()),
  defaultText: `this machine's cores, ${availableParallelism()}`,
};

/** `--languages LIST` where it may be left out, meaning `defaultText`. */
export const languagesOption = (description: string, defaultText: string) => optional(option.languages(description), defaultText);

/**
 * The languages to run: each of `languages` checked against the texts folder (a missing one names the folder
 * and what it has), or every language the folder has when `languages` is undefined.
 * @throws UsageError naming --languages.
 */
export function languagesIn(texts: string, languages: readonly string[] | undefined): string[] {
  const available = listLanguages(texts);
  if (available.length === 0) throw new UsageError(`--texts ${texts} holds no <lang>.txt files`);
  const missing = (languages ?? []).filter((lang) => !available.includes(lang));
  if (missing.length > 0) {
    throw new UsageError(`--languages: ${texts} has no ${missing.map((lang) => `${lang}.txt`).join(', ')} (it has: ${available.join(', ')})`);
  }
  return [...new Set(languages ?? available)];
}

/**
 * The checkpoint's config.json, read without its weights: commands check their arguments against it
 * (vocabulary, context length) before the slow load.
 */
export function peekConfig(dir: string): ModelConfig {
  return readModelConfig(join(dir, 'config.json'));
}

/** A checkpoint opened for forward passes on the engine asked for. */
export interface OpenedForwardModel {
  backend: EngineInfo;
  dir: string;
  model: ForwardModel & Perturbable;
  tokenizer: TextTokenizer | null;
}

/** The batch the memory check assumes for a command that does not give one (its windows come in batches of 8 of 128 tokens). */
const DEFAULT_BATCH = { windows: 8, seqLen: 128 };

/**
 * Checks that the checkpoint fits in memory (from config.json, before reading a weight), loads it with
 * a progress display, opens it on the engine (`--backend`, else `$REGIONS_BACKEND`, else ONNX Runtime),
 * runs `use`, and frees the engine's sessions or tensors however `use` ends.
 */
export async function withForwardModel<T>(
  settings: { checkpoint: string; backend: EngineName | undefined; threads?: number; batchSize?: number; seqLen?: number },
  io: CliIo,
  use: (opened: OpenedForwardModel) => Promise<T>,
): Promise<T> {
  const [{ openForward, resolveEngineName }, { loadCheckpoint }, { loadTokenizer }, { assertFits }] = await Promise.all([
    import('../engine/select.js'),
    import('../checkpoint/load.js'),
    import('../tokenizer/tokenizer.js'),
    import('../engine/memory.js'),
  ]);
  const engine = resolveEngineName(settings.backend);
  const config = peekConfig(settings.checkpoint);
  // ONNX Runtime reads the host arrays; a tfjs backend holds a second copy while uploading.
  const onOrt = engine === 'auto' || engine.startsWith('ort');
  const job = { kind: 'forward', engine: onOrt ? 'onnxruntime' : 'tfjs', batch: settings.batchSize ?? DEFAULT_BATCH.windows, seqLen: Math.min(settings.seqLen ?? DEFAULT_BATCH.seqLen, config.maxPositionEmbeddings) } as const;
  assertFits(settings.checkpoint, config, job);
  const checkpoint = await withProgress(io.stderr, `loading ${basename(settings.checkpoint)}`, 'weights', (update) =>
    loadCheckpoint(settings.checkpoint, { onProgress: update }),
  );
  const { tokenizerFile } = checkpoint;
  const tokenizer =
    tokenizerFile === null ? null : loadTokenizer(tokenizerFile, { bosId: config.bosTokenId, eosId: config.eosTokenId });
  const opened = await openForward(checkpoint.config, checkpoint.weights, engine, { threads: settings.threads });
  if (!onOrt) checkpoint.weights.clear(); // the tfjs model holds its own copy now
  try {
    return await use({ backend: opened.info, dir: settings.checkpoint, model: opened.model, tokenizer });
  } finally {
    await opened.close();
  }
}

/** The line that heads human output: what ran where, on which checkpoint. */
export function setupLine(command: string, opened: { backend: { name: string; device: string }; dir: string }): string {
  return `regions ${command} · backend ${opened.backend.name} (${opened.backend.device}) · checkpoint ${opened.dir}`;
}
