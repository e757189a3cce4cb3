import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { CheckpointError } from '../../src/checkpoint/errors.js';
import {
  bf16BitsToFloat32,
  DTYPE_BYTES,
  f16BitsToFloat32,
  float32ToBf16Bits,
  float32ToF16Bits,
  readSafetensorsHeader,
  readTensorFloat32,
  readTensorRaw,
  writeSafetensors,
} from '../../src/checkpoint/safetensors.js';
import type { SafetensorsDType, TensorToWrite } from '../../src/checkpoint/types.js';
import { useTempDir } from './helpers.js';

const tmp = useTempDir();
const DTYPES = Object.keys(DTYPE_BYTES) as SafetensorsDType[];

/** A tensor with a random dtype, a small random shape and random bytes. */
const tensorArb = fc
  .record({
    dtype: fc.constantFrom(...DTYPES),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  })
  .chain(({ dtype, shape }) => {
    const bytes = shape.reduce((n, d) => n * d, 1) * DTYPE_BYTES[dtype];
    return fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((data) => ({ dtype, shape, data }));
  });

const tensorSetArb = fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), tensorArb), {
  selector: ([name]) => name,
  maxLength: 6,
}).filter((set) => set.every(([name]) => name !== '__metadata__'));

test('random valid tensor sets round-trip (names, order, dtypes, shapes, bytes, metadata)', () => {
  const file = join(tmp.path, 'prop.safetensors');
  fc.assert(
    fc.property(tensorSetArb, fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), (set, metadata) => {
      const tensors: TensorToWrite[] = set.map(([name, t]) => ({ name, ...t }));
      writeSafetensors(file, tensors, metadata);
      const header = readSafetensorsHeader(file);
      expect([...header.entries.keys()]).toEqual(tensors.map((t) => t.name));
      expect(header.metadata).toEqual(metadata);
      for (const t of tensors) {
        const raw = readTensorRaw(header, t.name);
        expect(raw).toEqual({ dtype: t.dtype, shape: t.shape, bytes: t.data });
        if (t.dtype === 'F32') {
          const floats = readTensorFloat32(header, t.name);
          expect(new Uint8Array(floats.buffer)).toEqual(t.data);
        }
      }
    }),
    { numRuns: 60 },
  );
});

/** Reads everything from a (possibly corrupt) file: succeeds or throws CheckpointError, never anything else. */
function readEverything(file: string): void {
  try {
    const header = readSafetensorsHeader(file);
    for (const [name, entry] of header.entries) {
      readTensorRaw(header, name);
      if (['F32', 'F16', 'BF16', 'F64'].includes(entry.dtype)) readTensorFloat32(header, name);
    }
  } catch (err) {
    if (!(err instanceof CheckpointError)) throw err;
    expect(err.message.startsWith(file)).toBe(true);
  }
}

test('random byte corruptions of the length prefix and header never crash', () => {
  const clean = join(tmp.path, 'clean.safetensors');
  writeSafetensors(
    clean,
    [
      { name: 'model.embed_tokens.weight', dtype: 'F32', shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
      { name: 'model.norm.weight', dtype: 'BF16', shape: [2], data: new Uint16Array([0x3f80, 0x4000]) },
      { name: 'mask', dtype: 'U8', shape: [2, 2], data: new Uint8Array([1, 0, 0, 1]) },
    ],
    { format: 'pt' },
  );
  const original = readFileSync(clean);
  const headerEnd = 8 + Number(original.readBigUInt64LE(0));
  const file = join(tmp.path, 'corrupt.safetensors');
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: headerEnd - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      (edits) => {
        const bytes = Buffer.from(original);
        for (const [at, value] of edits) bytes[at] = value;
        writeFileSync(file, bytes);
        readEverything(file);
      },
    ),
    { numRuns: 300 },
  );
  rmSync(file);
});

test('truncating a valid file anywhere gives a CheckpointError, never a crash', () => {
  const clean = join(tmp.path, 'clean.safetensors');
  writeSafetensors(clean, [
    { name: 'a', dtype: 'F16', shape: [5], data: new Uint16Array(5) },
    { name: 'b', dtype: 'F32', shape: [2, 3], data: new Float32Array(6) },
  ]);
  const original = readFileSync(clean);
  const file = join(tmp.path, 'cut.safetensors');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: original.length - 1 }), (length) => {
      writeFileSync(file, original.subarray(0, length));
      expect(() => readEverything(file)).not.toThrow();
      expect(() => readSafetensorsHeader(file)).toThrow(CheckpointError);
    }),
    { numRuns: 100 },
  );
});

/** Asserts that `encoded` is a nearest neighbour of x among all 16-bit patterns one step away. */
function expectNearest(x: number, encoded: number, decode: (bits: Uint16Array) => Float32Array): void {
  const [value, below, above] = decode(new Uint16Array([encoded, (encoded - 1) & 0xffff, (encoded + 1) & 0xffff]));
  for (const neighbour of [below!, above!]) {
    if (!Number.isNaN(neighbour)) expect(Math.abs(x - value!)).toBeLessThanOrEqual(Math.abs(x - neighbour));
  }
}

test('float32 → F16 and → BF16 pick a nearest representable value', () => {
  fc.assert(
    fc.property(fc.float({ min: -65504, max: 65504, noNaN: true }), (x) => {
      expectNearest(x, float32ToF16Bits(new Float32Array([x]))[0]!, f16BitsToFloat32);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-3.38e38), max: Math.fround(3.38e38) }), (x) => {
      expectNearest(x, float32ToBf16Bits(new Float32Array([x]))[0]!, bf16BitsToFloat32);
    }),
    { numRuns: 2000 },
  );
});
