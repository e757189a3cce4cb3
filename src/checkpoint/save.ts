import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedWeightShapes, parseModelConfig } from './config.js';
import { CheckpointError } from './errors.js';
import { SAFETENSORS_INDEX_FILE, SAFETENSORS_FILE } from './load.js';
import {
  float32ToBf16Bits,
  float32ToF16Bits,
  writeFileAtomic,
  writeSafetensors,
  type LazyTensorToWrite,
} from './safetensors.js';
import type { HostTensor } from './types.js';

/** What {@link saveCheckpoint} writes. */
export interface SaveCheckpointOptions {
  /** The config.json object (HF field names). Validated before anything is written. */
  config: Record<string, unknown>;
  /** Every weight `expectedWeightShapes(config)` lists (extra ones are written after them). */
  weights: Map<string, HostTensor>;
  /** Storage dtype of the weights; default F32 (lossless). BF16/F16 round to nearest even. */
  dtype?: 'F32' | 'BF16' | 'F16';
  /** Written as tokenizer.json. */
  tokenizerJson?: string;
  /** More files to write, by plain file name (e.g. tokenizer_config.json, generation_config.json). */
  extraFiles?: Record<string, string>;
}

function writeTextAtomic(file: string, text: string): void {
  writeFileAtomic(file, (fd) => writeFileSync(fd, text, 'utf8'));
}

/**
 * Saves a checkpoint in HuggingFace layout (config.json + model.safetensors, optional tokenizer.json and
 * extra files) that {@link loadCheckpoint} and HF transformers both load. Tensors are stored in the
 * standard order — embedding, layers 0..n-1 (each in `expectedWeightShapes` order), final norm, lm_head —
 * and are converted to `dtype` one at a time while streaming.
 *
 * Crash safety: every file is written to a temporary name and renamed, so no file is ever half written,
 * and config.json acts as the commit marker: an existing config.json (and a stale shard index) is
 * removed FIRST, the weights and other files are written next, and the new config.json is written LAST.
 * After a crash the folder therefore either still holds the old checkpoint, or has no config.json (and
 * refuses to load), or holds the complete new checkpoint — never a config describing a different model
 * than the weights next to it.
 *
 * @throws CheckpointError if the config is invalid, a weight is missing or has the wrong shape or data
 *   length, or an extra file name is not a plain file name (nothing is written in these cases).
 */
export function saveCheckpoint(dir: string, options: SaveCheckpointOptions): void {
  const weightsFile = join(dir, SAFETENSORS_FILE);
  const config = parseModelConfig(options.config, join(dir, 'config.json'));
  const expected = expectedWeightShapes(config);
  for (const name of expected.keys()) {
    if (!options.weights.has(name)) throw new CheckpointError(weightsFile, 'weight to save is missing', name);
  }
  for (const [name, w] of options.weights) {
    const shape = expected.get(name) ?? w.shape;
    if (w.shape.join() !== shape.join() || w.data.length !== shape.reduce((n, d) => n * d, 1)) {
      throw new CheckpointError(
        weightsFile,
        `expected shape [${shape.join(', ')}], got shape [${w.shape.join(', ')}] with ${w.data.length} values`,
        name,
      );
    }
  }
  const extraFiles = Object.entries(options.extraFiles ?? {});
  for (const [name] of extraFiles) {
    if (!/^[\w.-]+$/.test(name) || name === '.' || name === '..' || [SAFETENSORS_FILE, SAFETENSORS_INDEX_FILE, 'config.json'].includes(name)) {
      throw new CheckpointError(join(dir, name), 'extra file name must be a plain file name and not a checkpoint file');
    }
  }

  const dtype = options.dtype ?? 'F32';
  const encode = (data: Float32Array): ArrayBufferView =>
    dtype === 'BF16' ? float32ToBf16Bits(data) : dtype === 'F16' ? float32ToF16Bits(data) : data;
  const order = [...expected.keys(), ...[...options.weights.keys()].filter((n) => !expected.has(n))];
  const tensors: LazyTensorToWrite[] = order.map((name) => {
    const w = options.weights.get(name)!;
    return { name, dtype, shape: w.shape, data: () => encode(w.data) };
  });

  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, 'config.json'), { force: true });
  rmSync(join(dir, SAFETENSORS_INDEX_FILE), { force: true });
  // "format": "pt" is what HF transformers requires of a safetensors file's metadata.
  writeSafetensors(weightsFile, tensors, { format: 'pt' });
  if (options.tokenizerJson !== undefined) writeTextAtomic(join(dir, 'tokenizer.json'), options.tokenizerJson);
  for (const [name, text] of extraFiles) writeTextAtomic(join(dir, name), text);
  writeTextAtomic(join(dir, 'config.json'), `${JSON.stringify(options.config, null, 2)}\n`);
}
