/** Builders of good and bad checkpoint files for the checkpoint tests. Every file lives in a temp dir. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { CheckpointError } from '../../src/checkpoint/errors.js';
import { readSafetensorsHeader, readTensorRaw, writeSafetensors } from '../../src/checkpoint/safetensors.js';
import type { TensorToWrite } from '../../src/checkpoint/types.js';

/** A fresh temp dir per test, removed after it. Call at the top of a describe/file; read `.path` in tests. */
export function useTempDir(): { path: string } {
  const dir = { path: '' };
  beforeEach(() => {
    dir.path = mkdtempSync(join(tmpdir(), 'regions-'));
  });
  afterEach(() => {
    rmSync(dir.path, { recursive: true, force: true });
  });
  return dir;
}

/** Asserts `fn` throws a CheckpointError whose message matches `message` (which should name the file). */
export function expectCheckpointError(fn: () => unknown, message: RegExp): void {
  expect(fn).toThrow(CheckpointError);
  expect(fn).toThrow(message);
}

/**
 * The bytes of a safetensors file with a hand-written header: `header` (an object is JSON-encoded, a
 * string is used verbatim), then `data`. `headerLength` overrides the 8-byte length prefix.
 */
export function rawSafetensors(header: unknown, data: Uint8Array | number = 0, headerLength?: bigint): Buffer {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLength ?? BigInt(json.byteLength));
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  return Buffer.concat([prefix, json, body]);
}

/** Writes {@link rawSafetensors} to `dir/name` and returns the path. */
export function writeRaw(dir: string, name: string, header: unknown, data?: Uint8Array | number, headerLength?: bigint): string {
  const file = join(dir, name);
  writeFileSync(file, rawSafetensors(header, data, headerLength));
  return file;
}

/** All tensors of a safetensors file, raw, in header order. */
export function readAllRaw(file: string): TensorToWrite[] {
  const header = readSafetensorsHeader(file);
  return [...header.entries.keys()].map((name) => {
    const { dtype, shape, bytes } = readTensorRaw(header, name);
    return { name, dtype, shape, data: bytes };
  });
}

/** Rewrites `dir/model.safetensors` through `edit` (which may add, drop or change tensors). */
export function editWeights(dir: string, edit: (tensors: TensorToWrite[]) => TensorToWrite[]): void {
  const file = join(dir, 'model.safetensors');
  writeSafetensors(file, edit(readAllRaw(file)), { format: 'pt' });
}

/** Changes one float32 tensor of `dir/model.safetensors` (F32 checkpoints only). */
export function editTensor(dir: string, name: string, change: (data: Float32Array) => void): void {
  editWeights(dir, (tensors) =>
    tensors.map((t) => {
      if (t.name !== name) return t;
      const data = new Float32Array((t.data as Uint8Array).slice().buffer);
      change(data);
      return { ...t, data };
    }),
  );
}

/** Shallow-merges `patch` into `dir/config.json` (a value of undefined deletes the field). */
export function editConfig(dir: string, patch: Record<string, unknown>): void {
  const file = join(dir, 'config.json');
  const config = { ...(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>), ...patch };
  writeFileSync(file, JSON.stringify(config));
}

/**
 * Splits `dir/model.safetensors` into `count` shards (round-robin by tensor) plus
 * model.safetensors.index.json, and removes the single file. Returns the weight_map.
 */
export function shardWeights(dir: string, count: number): Record<string, string> {
  const single = join(dir, 'model.safetensors');
  const tensors = readAllRaw(single);
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < count; s++) {
    const name = `model-${String(s + 1).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.safetensors`;
    const part = tensors.filter((_, i) => i % count === s);
    writeSafetensors(join(dir, name), part, { format: 'pt' });
    for (const t of part) weightMap[t.name] = name;
  }
  writeIndex(dir, weightMap);
  rmSync(single);
  return weightMap;
}

/** Writes `dir/model.safetensors.index.json` with the given weight_map. */
export function writeIndex(dir: string, weightMap: Record<string, string>): void {
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
}
