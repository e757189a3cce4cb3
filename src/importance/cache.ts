import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ImportanceMap } from './types.js';
import type { ImportanceInput } from './compute.js';
import { warnCacheWrite } from '../cache/json-cache.js';
import { cacheKey, windowsHash, type EngineKey } from '../cache/key.js';
import { GRADIENT_REVISION } from '../engine/onnx/autodiff.js';
import { engineOf } from '../engine/select.js';
import { IMPORTANCE_OBJECTIVE, engineShapes, scoreWindows, scoredNames, type ImportanceEngine } from './internals/score.js';
import { loadImportance, saveImportance } from './io.js';
import { parseImportanceSettings, type ImportanceOptions, type ImportanceSettings } from './settings.js';
import { importanceWindows } from './windows.js';

/** Where importance files are cached unless told otherwise (relative to the working directory). */
export const DEFAULT_IMPORTANCE_CACHE_DIR = '.cache/regions/importance';

/** Settings of {@link cachedImportance}: those of computeImportance, plus where the cache is. */
export interface CachedImportanceOptions extends ImportanceOptions {
  /** Cache folder (default {@link DEFAULT_IMPORTANCE_CACHE_DIR}). */
  cacheDir?: string;
  /** false: neither read nor write the cache (default true). */
  cache?: boolean;
  /** Says that the cache file could not be written (the computed map is still returned); default process.emitWarning. */
  warn?: (message: string) => void;
}

/**
 * An engine started only if the cache cannot answer (a cache hit then costs no model load): the shapes
 * of the model's weights by HF name, in checkpoint order, and how to start it. The caller closes it.
 */
export interface LazyEngine {
  shapes: ReadonlyMap<string, readonly number[]>;
  /**
   * The engine `start` gives (engine/select.ts plannedEngine), part of the cache key: engines, and one engine
   * on another device or thread count, agree to float rounding, not to the bit. Null where only starting
   * tells: then the engine is started before the cache is read, and keyed by what started.
   */
  engine: EngineKey | null;
  start(): Promise<ImportanceEngine>;
}

/** An importance map and where it came from. */
export interface CachedImportance {
  map: ImportanceMap;
  /** `computed`: the gradients were run (and the result cached); `cache`: read from `file`. */
  source: 'cache' | 'computed';
  /** The cache file read or written; null with `cache: false`. */
  file: string | null;
  /** Why an existing cache file was not used (damaged, another model's shapes…); undefined otherwise. */
  rejected?: string;
}

/**
 * The cache key (../cache/key.ts): the checkpoint's content hash, the token windows, the engine and device
 * that run the gradients, and the settings that change the result (objective, window settings, weights,
 * batch size: the gradients of a pass are summed before passes are — measured, 557,159 of the fixture's
 * 857,728 scores differ between 8 and 16 windows a pass).
 */
export function importanceCacheKey(checkpointHash: string, windows: readonly (readonly number[])[], engine: EngineKey, settings: ImportanceSettings, givenWindows: boolean): string {
  return cacheKey({
    computation: 'importance',
    checkpoint: checkpointHash,
    windows: windowsHash(windows),
    engine,
    settings: {
      objective: IMPORTANCE_OBJECTIVE,
      seqLen: givenWindows ? null : settings.seqLen,
      maxTokens: givenWindows ? null : settings.maxTokens,
      weights: settings.weights ?? null,
      batchSize: settings.batchSize,
      gradients: GRADIENT_REVISION,
    },
  });
}

/** Why a cached map does not fit this job, or undefined when it does. */
function mismatch(map: ImportanceMap, key: string, names: readonly string[], shapes: ReadonlyMap<string, readonly number[]>): string | undefined {
  if (map.provenance.cache_key !== key) return `its cache_key ${map.provenance.cache_key ?? '(none)'} is not ${key}`;
  const stored = [...map.scores.keys()];
  if (stored.join('\n') !== names.join('\n')) return `it holds tensors [${stored.join(', ')}], expected [${names.join(', ')}]`;
  for (const name of names) {
    const a = map.scores.get(name)!.shape;
    const b = shapes.get(name)!;
    if (a.join() !== b.join()) return `tensor ${name} has shape [${a.join(', ')}] but the model's weight has [${b.join(', ')}]`;
  }
  return undefined;
}

/**
 * computeImportance with a disk cache: `<cacheDir>/<language>-<key>.safetensors` (see
 * {@link importanceCacheKey}). A file that exists is loaded and validated — safetensors structure,
 * checksum of the scores, cache key, and tensor names and shapes against the engine's model — and used
 * only if all of that holds; otherwise (a damaged file, a file from another model) it is recomputed and
 * overwritten, and `rejected` says why. Files are written atomically. `engine` may be a
 * {@link LazyEngine}, started only when the gradients have to be run.
 */
export async function cachedImportance(
  engine: ImportanceEngine | LazyEngine,
  input: ImportanceInput,
  options: CachedImportanceOptions = {},
): Promise<CachedImportance> {
  if (!/^[\w-]+$/.test(input.language)) {
    throw new Error(`importance: language ${JSON.stringify(input.language)} must be a code of letters, digits, _ or - (it names the cache file)`);
  }
  const settings = parseImportanceSettings(options);
  const windows = importanceWindows(input, settings, input.language);
  const givenWindows = 'windows' in input;
  const job = { language: input.language, checkpointHash: input.checkpointHash, settings, givenWindows, onProgress: options.onProgress };
  const lazy = 'start' in engine;
  let started: ImportanceEngine | undefined;
  const startOnce = async (): Promise<ImportanceEngine> => (started ??= lazy ? await engine.start() : engine);
  const run = async (): Promise<ImportanceMap> => scoreWindows(await startOnce(), windows, job);
  if (options.cache === false) return { map: await run(), source: 'computed', file: null };

  const shapes = lazy ? engine.shapes : engineShapes(engine);
  const names = scoredNames(shapes, settings);
  const dir = options.cacheDir ?? DEFAULT_IMPORTANCE_CACHE_DIR;
  const fileOf = (key: string) => join(dir, `${input.language}-${key}.safetensors`);
  // The engine the key names: the planned one, known without loading the model, else the started one (`auto`
  // with a GPU present: WebGPU, or the CPU if no adapter starts) — so the cache is read there too.
  const planned = (lazy ? engine.engine : null) ?? (await engineOf(await startOnce()));
  let rejected: string | undefined;
  const plannedKey = importanceCacheKey(input.checkpointHash, windows, planned, settings, givenWindows);
  if (existsSync(fileOf(plannedKey))) {
    try {
      const map = loadImportance(fileOf(plannedKey));
      rejected = mismatch(map, plannedKey, names, shapes);
      if (rejected === undefined) return { map, source: 'cache', file: fileOf(plannedKey) };
    } catch (err) {
      rejected = (err as Error).message;
    }
  }
  const map = await run();
  // Keyed by the engine that ran (the same as the planned one where there was a plan).
  const key = importanceCacheKey(input.checkpointHash, windows, await engineOf(started!), settings, givenWindows);
  const file = fileOf(key);
  map.provenance.cache_key = key;
  try {
    mkdirSync(dir, { recursive: true });
    saveImportance(file, map);
  } catch (err) {
    (options.warn ?? warnCacheWrite)(
      `regions: could not write the importance cache file ${file} (${(err as Error).message}); the map is used but not cached`,
    );
    return { map, source: 'computed', file: null, ...(rejected !== undefined && { rejected }) };
  }
  return rejected === undefined ? { map, source: 'computed', file } : { map, source: 'computed', file, rejected };
}
