import { closeSync, existsSync, openSync, readdirSync, readFileSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  bf16BitsToFloat32,
  f16BitsToFloat32,
  float32ToBf16Bits,
  float32ToF16Bits,
  readSafetensorsHeader,
  readTensorFloat32,
  readTensorRaw,
  writeSafetensors,
} from '../../src/checkpoint/safetensors.js';
import { expectCheckpointError, useTempDir, writeRaw } from './helpers.js';

const tmp = useTempDir();

/** float32 bit pattern of x. */
function bitsOf(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0]!;
}

describe('write → read round trip', () => {
  test('F32 is exact and keeps shape, dtype and order', () => {
    const file = join(tmp.path, 'a.safetensors');
    const w = new Float32Array([1, -2.5, 3e-8, Math.PI, -0, 65504, 1e30, -1e-40]);
    const b = new Float32Array([7]);
    writeSafetensors(file, [
      { name: 'w', dtype: 'F32', shape: [2, 4], data: w },
      { name: 'b', dtype: 'F32', shape: [], data: b },
    ]);
    const header = readSafetensorsHeader(file);
    expect([...header.entries.keys()]).toEqual(['w', 'b']);
    expect(header.entries.get('w')).toMatchObject({ dtype: 'F32', shape: [2, 4], begin: header.dataStart, end: header.dataStart + 32 });
    expect(readTensorFloat32(header, 'w')).toEqual(w);
    expect(Object.is(readTensorFloat32(header, 'w')[4], -0)).toBe(true);
    expect(readTensorFloat32(header, 'b')).toEqual(b);
  });

  test('F16 stores half bits and reads back the half values', () => {
    const file = join(tmp.path, 'h.safetensors');
    const values = new Float32Array([1, -2, 0.5, 65504, 2 ** -24, 0.1]);
    writeSafetensors(file, [{ name: 'h', dtype: 'F16', shape: [6], data: float32ToF16Bits(values) }]);
    const got = readTensorFloat32(readSafetensorsHeader(file), 'h');
    expect(Array.from(got.subarray(0, 5))).toEqual([1, -2, 0.5, 65504, 2 ** -24]);
    expect(got[5]).toBe(0.0999755859375); // nearest half to 0.1
  });

  test('BF16 of a float32 reads back as the float32 rounded to 8 significant bits', () => {
    const file = join(tmp.path, 'b.safetensors');
    const values = new Float32Array([1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.14159, -1e-3]);
    writeSafetensors(file, [{ name: 'b', dtype: 'BF16', shape: [5], data: float32ToBf16Bits(values) }]);
    const got = readTensorFloat32(readSafetensorsHeader(file), 'b');
    expect(Array.from(got)).toEqual([1, 1, 1 + 2 ** -6, 3.140625, -0.00099945068359375]);
  });

  test('F64 is read as the nearest float32', () => {
    const file = join(tmp.path, 'd.safetensors');
    writeSafetensors(file, [{ name: 'd', dtype: 'F64', shape: [2], data: new Float64Array([0.1, -1e300]) }]);
    expect(Array.from(readTensorFloat32(readSafetensorsHeader(file), 'd'))).toEqual([Math.fround(0.1), -Infinity]);
  });

  test('U8 / BOOL masks and I32 come back as raw bytes; reading them as weights is refused', () => {
    const file = join(tmp.path, 'm.safetensors');
    const mask = new Uint8Array([0, 1, 1, 0, 1, 0]);
    const ids = new Int32Array([-1, 2, 300000]);
    writeSafetensors(file, [
      { name: 'u8', dtype: 'U8', shape: [2, 3], data: mask },
      { name: 'bool', dtype: 'BOOL', shape: [6], data: mask },
      { name: 'ids', dtype: 'I32', shape: [3], data: ids },
    ]);
    const header = readSafetensorsHeader(file);
    expect(readTensorRaw(header, 'u8')).toEqual({ dtype: 'U8', shape: [2, 3], bytes: mask });
    expect(readTensorRaw(header, 'bool').bytes).toEqual(mask);
    expect(new Int32Array(readTensorRaw(header, 'ids').bytes.buffer)).toEqual(ids);
    expectCheckpointError(() => readTensorFloat32(header, 'u8'), /m\.safetensors \(u8\): dtype U8 cannot be read as a floating-point weight/);
    expectCheckpointError(() => readTensorRaw(header, 'nope'), /m\.safetensors \(nope\): no such tensor/);
  });

  test('metadata round-trips; integer-like tensor names keep their order', () => {
    const file = join(tmp.path, 'n.safetensors');
    const one = new Float32Array([1]);
    writeSafetensors(
      file,
      ['z', '10', '2', 'a'].map((name) => ({ name, dtype: 'F32' as const, shape: [1], data: one })),
      { format: 'pt', note: 'é ✓' },
    );
    const header = readSafetensorsHeader(file);
    expect([...header.entries.keys()]).toEqual(['z', '10', '2', 'a']);
    expect(header.metadata).toEqual({ format: 'pt', note: 'é ✓' });
  });

  test('the header is padded with spaces to a multiple of 8 bytes', () => {
    for (let len = 1; len <= 9; len++) {
      const file = join(tmp.path, `p${len}.safetensors`);
      writeSafetensors(file, [{ name: 'x'.repeat(len), dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) }]);
      const bytes = readFileSync(file);
      const headerLength = Number(bytes.readBigUInt64LE(0));
      expect(headerLength % 8).toBe(0);
      const text = bytes.subarray(8, 8 + headerLength).toString('utf8');
      expect(text).toMatch(/^\{.*\} *$/);
      expect(readSafetensorsHeader(file).dataStart).toBe(8 + headerLength);
      expect(Array.from(bytes.subarray(8 + headerLength))).toEqual([1, 2, 3]);
    }
  });

  test('zero-size tensors are allowed', () => {
    const file = join(tmp.path, 'z.safetensors');
    writeSafetensors(file, [
      { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
      { name: 'x', dtype: 'F32', shape: [1], data: new Float32Array([2]) },
    ]);
    const header = readSafetensorsHeader(file);
    expect(readTensorFloat32(header, 'empty')).toEqual(new Float32Array(0));
    expect(readTensorFloat32(header, 'x')).toEqual(new Float32Array([2]));
  });
});

test('reads the header and one tensor of a 2 GiB (sparse) file without reading the rest', () => {
  const big = 2 ** 31; // readFileSync refuses files this large: only positioned reads can work
  const file = writeRaw(tmp.path, 'big.safetensors', {
    big: { dtype: 'U8', shape: [big], data_offsets: [0, big] },
    small: { dtype: 'F32', shape: [2], data_offsets: [big, big + 8] },
  });
  const dataStart = readFileSync(file).length; // the file holds only the header so far
  truncateSync(file, dataStart + big + 8); // sparse: the zeros take no disk space
  const fd = openSync(file, 'r+');
  writeSync(fd, new Uint8Array(new Float32Array([1.5, -2]).buffer), 0, 8, dataStart + big);
  closeSync(fd);
  const header = readSafetensorsHeader(file);
  expect(header.fileSize).toBe(dataStart + big + 8);
  expect(readTensorFloat32(header, 'small')).toEqual(new Float32Array([1.5, -2]));
});

describe('atomic write', () => {
  test('leaves only the target file, and replaces an existing one', () => {
    const file = join(tmp.path, 'model.safetensors');
    writeFileSync(file, 'old');
    writeSafetensors(file, [{ name: 'x', dtype: 'F32', shape: [1], data: new Float32Array([5]) }]);
    expect(readdirSync(tmp.path)).toEqual(['model.safetensors']);
    expect(readTensorFloat32(readSafetensorsHeader(file), 'x')).toEqual(new Float32Array([5]));
  });

  test('a failing write leaves neither a temp file nor a half-written target', () => {
    const file = join(tmp.path, 'model.safetensors');
    expectCheckpointError(
      () =>
        writeSafetensors(file, [
          { name: 'ok', dtype: 'F32', shape: [1], data: new Float32Array([1]) },
          { name: 'bad', dtype: 'F32', shape: [3], data: new Float32Array(2) },
        ]),
      /model\.safetensors \(bad\): data has 8 bytes but shape \[3\] of F32 needs 12/,
    );
    expect(readdirSync(tmp.path)).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });

  test('refuses duplicate and reserved tensor names', () => {
    const file = join(tmp.path, 'w.safetensors');
    const t = { name: 'a', dtype: 'U8' as const, shape: [1], data: new Uint8Array(1) };
    expectCheckpointError(() => writeSafetensors(file, [t, t]), /w\.safetensors \(a\): tensor name given twice/);
    expectCheckpointError(() => writeSafetensors(file, [{ ...t, name: '__metadata__' }]), /reserved/);
    expect(readdirSync(tmp.path)).toEqual([]);
  });
});

describe('F16 conversion', () => {
  test('decodes known bit patterns, subnormals, ±0, ±Infinity and NaN', () => {
    const cases: [number, number][] = [
      [0x3c00, 1],
      [0xc000, -2],
      [0x3555, 0.333251953125],
      [0x7bff, 65504],
      [0x0400, 2 ** -14], // smallest normal
      [0x0001, 2 ** -24], // smallest subnormal
      [0x03ff, 1023 * 2 ** -24], // largest subnormal
      [0x8001, -(2 ** -24)],
      [0x0000, 0],
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
    ];
    const got = f16BitsToFloat32(new Uint16Array(cases.map(([bits]) => bits)));
    cases.forEach(([, value], i) => expect(got[i]).toBe(value));
    const special = f16BitsToFloat32(new Uint16Array([0x8000, 0x7e00, 0x7c01, 0xfe00]));
    expect(Object.is(special[0], -0)).toBe(true);
    expect([special[1], special[2], special[3]].every(Number.isNaN)).toBe(true);
  });

  test('every non-NaN half survives decode → encode', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const back = float32ToF16Bits(f16BitsToFloat32(all));
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNaN) expect((back[h]! & 0x7c00) === 0x7c00 && (back[h]! & 0x3ff) !== 0).toBe(true);
      else if (back[h] !== h) expect.fail(`half 0x${h.toString(16)} came back as 0x${back[h]!.toString(16)}`);
    }
  });

  test('encodes with round-to-nearest-even, overflow to Infinity and underflow through subnormals', () => {
    const cases: [number, number][] = [
      [1 + 2 ** -11, 0x3c00], // tie → even (down)
      [1 + 3 * 2 ** -11, 0x3c02], // tie → even (up)
      [1 + 2 ** -11 + 2 ** -20, 0x3c01], // above the tie
      [65519, 0x7bff],
      [65520, 0x7c00], // tie between 65504 and 2^16 → even = Infinity
      [1e10, 0x7c00],
      [-1e10, 0xfc00],
      [2 ** -25, 0x0000], // tie between 0 and the smallest subnormal → 0
      [1.5 * 2 ** -25, 0x0001],
      [2 ** -26, 0x0000],
      [3 * 2 ** -25, 0x0002], // tie between subnormals 1 and 2 → even
      [(1024 - 0.5) * 2 ** -24, 0x0400], // largest subnormal + ½ ulp rounds up into the normals
      [1e-30, 0x0000],
      [-1e-30, 0x8000],
    ];
    const got = float32ToF16Bits(new Float32Array(cases.map(([x]) => x)));
    cases.forEach(([x, bits], i) => expect(got[i], `f16(${x})`).toBe(bits));
  });
});

describe('BF16 conversion', () => {
  test('rounds to nearest even and handles Infinity, NaN and overflow', () => {
    const cases: [number, number][] = [
      [1, 0x3f80],
      [1 + 2 ** -8, 0x3f80], // tie → even
      [1 + 3 * 2 ** -8, 0x3f82], // tie → even (up)
      [1 + 2 ** -8 + 2 ** -20, 0x3f81],
      [-2, 0xc000],
      [Infinity, 0x7f80],
      [-Infinity, 0xff80],
      [3.4028234663852886e38, 0x7f80], // float32 max rounds to Infinity
    ];
    const got = float32ToBf16Bits(new Float32Array(cases.map(([x]) => x)));
    cases.forEach(([x, bits], i) => expect(got[i], `bf16(${x})`).toBe(bits));
    const nan = float32ToBf16Bits(new Float32Array([NaN, -NaN]));
    expect(Number.isNaN(bf16BitsToFloat32(nan)[0])).toBe(true);
  });

  test('the widened value is the float32 with its low 16 bits rounded away', () => {
    const values = new Float32Array([0.1, -123.456, 1e-20, 7e30]);
    const widened = bf16BitsToFloat32(float32ToBf16Bits(values));
    values.forEach((x, i) => {
      const w = widened[i]!;
      expect(bitsOf(w) & 0xffff).toBe(0);
      expect(Math.abs(w - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -8);
    });
  });
});
