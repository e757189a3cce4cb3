import { basename, join } from 'node:path';
import type { BackendInfo, BackendName } from '../backend/select.js';
import { readModelConfig, type ModelConfig } from '../checkpoint/config.js';
import type { LlamaModel } from '../model/model.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';
import { option, optional } from './args.js';
import type { CliIo } from './io.js';
import { withProgress } from './progress.js';

const BACKENDS: readonly [BackendName, ...BackendName[]] = ['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu'];

/** `--checkpoint DIR`, which every command takes. */
export const checkpointOption = option.path('folder', 'HuggingFace checkpoint folder (config.json, *.safetensors, tokenizer.json)');

/** `--backend NAME`, which every command takes. */
export const backendOption = optional(option.choice('NAME', 'tfjs backend', BACKENDS), '$REGIONS_BACKEND, else auto');

/** A model ready to run, with what it came from. */
export interface OpenedModel {
  backend: BackendInfo;
  /** The checkpoint folder, as given. */
  dir: string;
  model: LlamaModel;
  /** The checkpoint's tokenizer.json, or null when it has none. */
  tokenizer: TextTokenizer | null;
}

/**
 * The checkpoint's config.json, read without its weights: commands check their arguments against it
 * (vocabulary, context length) before the slow load.
 */
export function peekConfig(dir: string): ModelConfig {
  return readModelConfig(join(dir, 'config.json'));
}

/**
 * Starts the backend (`--backend`, else `$REGIONS_BACKEND`, else auto), loads the checkpoint with a
 * progress display, uploads it as a {@link LlamaModel}, runs `use`, and disposes the model however `use` ends.
 */
export async function withModel<T>(
  settings: { checkpoint: string; backend: BackendName | undefined },
  io: CliIo,
  use: (opened: OpenedModel) => Promise<T>,
): Promise<T> {
  // Imported here, not at the top: tfjs takes seconds to load, and --help or a usage error should not wait.
  const [{ initBackend }, { loadCheckpoint }, { LlamaModel }, { loadTokenizer }] = await Promise.all([
    import('../backend/select.js'),
    import('../checkpoint/load.js'),
    import('../model/model.js'),
    import('../tokenizer/tokenizer.js'),
  ]);
  const backend = await initBackend(settings.backend);
  const checkpoint = await withProgress(io.stderr, `loading ${basename(settings.checkpoint)}`, 'weights', (update) =>
    loadCheckpoint(settings.checkpoint, { onProgress: update }),
  );
  const { config, tokenizerFile } = checkpoint;
  const tokenizer =
    tokenizerFile === null ? null : loadTokenizer(tokenizerFile, { bosId: config.bosTokenId, eosId: config.eosTokenId });
  const model = LlamaModel.fromWeights(config, checkpoint.weights);
  checkpoint.weights.clear(); // the model holds them now; do not keep a second copy alive while it runs
  try {
    return await use({ backend, dir: settings.checkpoint, model, tokenizer });
  } finally {
    model.dispose();
  }
}

/** The line that heads human output: what ran where, on which checkpoint. */
export function setupLine(command: string, opened: OpenedModel): string {
  return `regions ${command} · backend ${opened.backend.name} (${opened.backend.device}) · checkpoint ${opened.dir}`;
}
