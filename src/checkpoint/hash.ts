import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CheckpointError } from './errors.js';
import { locateWeights } from './load.js';

const cache = new Map<string, string>();
const CHUNK = 8 * 1024 * 1024;

/**
 * The files that determine a checkpoint's behaviour: config, weights (index + shards), tokenizer.json and
 * tokenizer_config.json (which decides BOS/EOS when config.json names none).
 */
function hashedFiles(dir: string): string[] {
  const location = locateWeights(dir);
  const config = join(dir, 'config.json');
  if (!existsSync(config)) throw new CheckpointError(config, 'config.json is missing');
  const files = [config];
  if (location.indexFile !== null) files.push(location.indexFile);
  files.push(...location.files);
  for (const name of ['tokenizer.json', 'tokenizer_config.json']) {
    const file = join(dir, name);
    if (existsSync(file)) files.push(file);
  }
  return files;
}

/**
 * A content hash of a checkpoint (sha256, hex) over config.json, the weight files (model.safetensors, or
 * the index and its shards), tokenizer.json and tokenizer_config.json when present — everything that changes what the model
 * computes on a text. Each file enters as (name, byte length, bytes), streamed in chunks. Results are
 * cached in memory per (real path, mtime, size) of every file, so asking again is cheap until a file changes.
 * @throws CheckpointError if config.json is missing or there are no loadable weight files (see `locateWeights`).
 */
export function checkpointHash(dir: string): string {
  const files = hashedFiles(dir);
  const stats = files.map((file) => {
    const s = statSync(file);
    return { file, real: realpathSync(file), size: s.size, mtimeMs: s.mtimeMs };
  });
  const key = stats.map((s) => `${s.real}\0${s.mtimeMs}\0${s.size}`).join('\0');
  const cached = cache.get(key);
  if (cached !== undefined) return cached;

  const hash = createHash('sha256');
  const buffer = new Uint8Array(CHUNK);
  for (const { file, size } of stats) {
    hash.update(`${basename(file)}\0${size}\0`);
    const fd = openSync(file, 'r');
    try {
      let n: number;
      while ((n = readSync(fd, buffer, 0, CHUNK, null)) > 0) hash.update(buffer.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }
  const digest = hash.digest('hex');
  cache.set(key, digest);
  return digest;
}
