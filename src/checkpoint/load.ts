import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';
import { z } from 'zod';
import { expectedWeightShapes, readModelConfig, type ModelConfig } from './config.js';
import { CheckpointError } from './errors.js';
import { EMBED, LM_HEAD, parseWeightName } from './names.js';
import { readSafetensorsHeader, readTensorFloat32, type SafetensorsHeader } from './safetensors.js';
import type { HostTensor } from './types.js';
import { firstIssue } from '../util/zod-issue.js';

/** A checkpoint loaded into host memory: validated config and every weight the model needs, as float32. */
export interface Checkpoint {
  dir: string;
  config: ModelConfig;
  /** By HF name, exactly the tensors of `expectedWeightShapes(config)`, in that order. */
  weights: Map<string, HostTensor>;
  /** The safetensors files the weights came from (model.safetensors, or the shards). */
  weightFiles: string[];
  /** `<dir>/tokenizer.json` if the checkpoint has one. */
  tokenizerFile: string | null;
  /** Weights holding NaN or ±Infinity (only non-empty with `allowNonFinite`). */
  nonFinite: { name: string; count: number }[];
  /**
   * Tensors in the files that were not loaded: extras the model does not use (e.g. `rotary_emb.inv_freq`)
   * and, when the config ties the embeddings, a stored `lm_head.weight` (the embedding is used instead).
   */
  ignoredTensors: string[];
}

/** Options of {@link loadCheckpoint}. */
export interface LoadOptions {
  /** Accept NaN/±Infinity in weights (recorded in `nonFinite`) instead of refusing the checkpoint. */
  allowNonFinite?: boolean;
  /** Called after each weight is converted: `done` of `total` weights. */
  onProgress?: (done: number, total: number) => void;
}

/** The weights of an unsharded HF checkpoint. */
export const SAFETENSORS_FILE = 'model.safetensors';
/** The index of a sharded HF checkpoint: {"metadata": {...}, "weight_map": {tensor: shard file}}. */
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';
const PICKLE_EXTENSIONS = ['.bin', '.pt', '.pth', '.ckpt'];

/** Where a checkpoint's weights are: one file, or shards listed by an index. */
export interface WeightLocation {
  /** `<dir>/model.safetensors.index.json` for a sharded checkpoint, else null. */
  indexFile: string | null;
  /** The safetensors files, unique, sorted by name. */
  files: string[];
  /** For a sharded checkpoint: tensor name → shard file (full path), as the index says. */
  weightMap: Map<string, string> | null;
}

const indexSchema = z.object({
  metadata: z.record(z.string(), z.unknown()).nullish(),
  weight_map: z.record(z.string(), z.string()),
});

function pickleRefusal(dir: string, pickles: string[]): CheckpointError {
  return new CheckpointError(
    dir,
    `found only pickle weights (${pickles.join(', ')}) and no ${SAFETENSORS_FILE}. Pickle checkpoints are not loaded ` +
      'because unpickling can execute arbitrary code. Convert the checkpoint to safetensors with: ' +
      `python -c "from transformers import AutoModelForCausalLM; ` +
      `AutoModelForCausalLM.from_pretrained('${dir}').save_pretrained('${dir}', safe_serialization=True)"`,
  );
}

/** Resolves one weight_map entry to a file inside `dir`, refusing anything that could escape it. */
function resolveShard(dir: string, realDir: string, indexFile: string, tensor: string, shard: string): string {
  const fail = (message: string): never => {
    throw new CheckpointError(indexFile, `${message} (shard ${JSON.stringify(shard)})`, `weight_map.${tensor}`);
  };
  if (shard === '' || isAbsolute(shard) || /^[a-zA-Z]:/.test(shard) || shard.startsWith('\\')) {
    fail('shard must be a relative file name inside the checkpoint folder, not an absolute path');
  }
  if (shard.split(/[\\/]/).some((part) => part === '..' || part === '.' || part === '')) {
    fail('shard must be a plain relative file name inside the checkpoint folder (no "..", "." or empty parts)');
  }
  const file = join(dir, shard);
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return fail('shard file is missing');
  }
  if (!real.startsWith(realDir + sep)) fail(`shard resolves to ${real}, outside the checkpoint folder (through a symlink?)`);
  if (!statSync(real).isFile()) fail('shard is not a regular file');
  return file;
}

function readIndex(dir: string, indexFile: string): WeightLocation {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(indexFile, 'utf8'));
  } catch (err) {
    throw new CheckpointError(indexFile, `not valid JSON (${(err as Error).message})`);
  }
  const parsed = indexSchema.safeParse(json);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error, json);
    throw new CheckpointError(indexFile, `expected {"metadata": {...}, "weight_map": {tensor: shard file}}: ${issue.message}`, issue.field || '(root)');
  }
  const realDir = realpathSync(dir);
  const weightMap = new Map<string, string>();
  const files: string[] = [];
  for (const [tensor, shard] of Object.entries(parsed.data.weight_map)) {
    const file = resolveShard(dir, realDir, indexFile, tensor, shard);
    weightMap.set(tensor, file);
    if (!files.includes(file)) files.push(file);
  }
  return { indexFile, files: files.sort(), weightMap };
}

/**
 * Finds a checkpoint's safetensors files: `model.safetensors` if present (as HF does), else the shards
 * listed by `model.safetensors.index.json`, each checked to be a file inside `dir`.
 * @throws CheckpointError for a missing folder, a folder with only pickle weights (never loaded: they can
 *   execute code), no weights at all, or an invalid index (bad JSON/shape, shard paths escaping `dir`,
 *   missing shards).
 */
export function locateWeights(dir: string): WeightLocation {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CheckpointError(dir, code === 'ENOENT' ? 'checkpoint folder does not exist' : `cannot read folder (${code})`);
  }
  if (names.includes(SAFETENSORS_FILE)) return { indexFile: null, files: [join(dir, SAFETENSORS_FILE)], weightMap: null };
  if (names.includes(SAFETENSORS_INDEX_FILE)) return readIndex(dir, join(dir, SAFETENSORS_INDEX_FILE));
  const pickles = names.filter((n) => PICKLE_EXTENSIONS.some((ext) => n.endsWith(ext)));
  if (pickles.length > 0 && !names.some((n) => n.endsWith('.safetensors'))) throw pickleRefusal(dir, pickles);
  throw new CheckpointError(
    dir,
    `no ${SAFETENSORS_FILE} or ${SAFETENSORS_INDEX_FILE} in the checkpoint folder (it holds: ${names.join(', ') || 'nothing'})`,
  );
}

/** Reads every safetensors header and maps each tensor name to the header that holds it. */
function indexTensors(location: WeightLocation): Map<string, SafetensorsHeader> {
  const headers = location.files.map(readSafetensorsHeader);
  const holder = new Map<string, SafetensorsHeader>();
  for (const header of headers) {
    for (const name of header.entries.keys()) {
      const other = holder.get(name);
      if (other !== undefined) {
        throw new CheckpointError(header.file, `tensor is also stored in ${other.file}; which one to use is ambiguous`, name);
      }
      holder.set(name, header);
    }
  }
  for (const [name, file] of location.weightMap ?? []) {
    if (holder.get(name)?.file !== file) {
      throw new CheckpointError(location.indexFile!, `weight_map says this tensor is in ${file}, but that file does not hold it`, name);
    }
  }
  return holder;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const show = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Checks every weight the config needs is stored, with exactly the expected shape. */
function checkShapes(config: ModelConfig, configFile: string, holder: Map<string, SafetensorsHeader>, whereMissing: string): void {
  const shapes = expectedWeightShapes(config);
  for (const [name, expected] of shapes) {
    const header = holder.get(name);
    if (header === undefined) {
      // Tensors of another family's layout (q_proj where phi3 fuses qkv_proj, norms another layout has) say model_type is wrong.
      const foreign = [...holder.keys()].find((n) => (parseWeightName(n)?.layer ?? null) !== null && !shapes.has(n));
      const hint =
        name === LM_HEAD
          ? ' (if the model ties its output layer to the embedding, set "tie_word_embeddings": true in config.json)'
          : foreign !== undefined
            ? ` (the files hold ${foreign}, which model_type "${config.modelType}" does not use: is config.json's model_type right?)`
            : '';
      throw new CheckpointError(whereMissing, `required tensor is missing (expected shape ${show(expected)})${hint}`, name);
    }
    const got = header.entries.get(name)!.shape;
    if (sameShape(got, expected)) continue;
    if ((name === EMBED || name === LM_HEAD) && got.length === 2 && got[0] !== expected[0]) {
      throw new CheckpointError(
        configFile,
        `vocab_size ${config.vocabSize} in config.json disagrees with ${name} in ${header.file}, which has ` +
          `${got[0]} rows (shape ${show(got)})`,
        'vocab_size',
      );
    }
    throw new CheckpointError(header.file, `wrong shape: expected ${show(expected)}, got ${show(got)}`, name);
  }
}

function countNonFinite(data: Float32Array): number {
  let count = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) count++;
  return count;
}

/**
 * Loads a HuggingFace LLaMA-family checkpoint folder (config.json + safetensors weights, single or
 * sharded) into float32 host tensors, validating everything on the way. Weights are converted one
 * tensor at a time with positioned reads, so peak memory is about one float32 copy of the model.
 *
 * Tied embeddings: when config.json ties them, the model must use `model.embed_tokens.weight` as the
 * output layer; a stored `lm_head.weight` is then ignored (listed in `ignoredTensors`) and not returned.
 *
 * @throws CheckpointError naming the file and tensor/field: any problem of config.json (see
 *   `readModelConfig`), of the weight files (see `locateWeights`, `readSafetensorsHeader`), a tensor
 *   stored twice, a required tensor missing or of the wrong shape (vocab_size disagreeing with the
 *   embedding says so), a weight that is not floating-point, or NaN/Infinity in a weight (unless
 *   `allowNonFinite`).
 */
export function loadCheckpoint(dir: string, options: LoadOptions = {}): Checkpoint {
  const location = locateWeights(dir);
  const configFile = join(dir, 'config.json');
  const config = readModelConfig(configFile);
  const holder = indexTensors(location);
  checkShapes(config, configFile, holder, location.indexFile ?? location.files[0]!);

  const expected = expectedWeightShapes(config);
  const weights = new Map<string, HostTensor>();
  const nonFinite: { name: string; count: number }[] = [];
  let done = 0;
  for (const [name, shape] of expected) {
    const header = holder.get(name)!;
    const data = readTensorFloat32(header, name);
    const count = countNonFinite(data);
    if (count > 0) {
      if (options.allowNonFinite !== true) {
        throw new CheckpointError(
          header.file,
          `${count} of ${data.length} values are NaN or ±Infinity (pass allowNonFinite to load anyway)`,
          name,
        );
      }
      nonFinite.push({ name, count });
    }
    weights.set(name, { shape: [...shape], data });
    options.onProgress?.(++done, expected.size);
  }
  const tokenizerFile = join(dir, 'tokenizer.json');
  return {
    dir,
    config,
    weights,
    weightFiles: location.files,
    tokenizerFile: existsSync(tokenizerFile) ? tokenizerFile : null,
    nonFinite,
    ignoredTensors: [...holder.keys()].filter((name) => !expected.has(name)),
  };
}
