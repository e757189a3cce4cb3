import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'vitest';
import { readSafetensorsHeader, readTensorFloat32, writeSafetensors } from '../../src/checkpoint/safetensors.js';
import { expectCheckpointError, useTempDir, writeRaw } from './helpers.js';

const tmp = useTempDir();

/** A well-formed entry: `count` float32 values starting at byte `begin` of the data. */
const f32 = (begin: number, count: number, shape = [count]) => ({ dtype: 'F32', shape, data_offsets: [begin, begin + 4 * count] });

describe('readSafetensorsHeader refuses', () => {
  test('a gap between tensors (the tensors must tile the data, as the format reference requires)', () => {
    const file = writeRaw(tmp.path, 'gap.safetensors', { a: f32(0, 2), b: f32(12, 1) }, 16);
    expectCheckpointError(
      () => readSafetensorsHeader(file),
      /gap\.safetensors \(b\): data starts at byte 12 after the header, leaving bytes 8\.\.12 that belong to no tensor/,
    );
    const leading = writeRaw(tmp.path, 'leading.safetensors', { a: f32(4, 1) }, 8);
    expectCheckpointError(() => readSafetensorsHeader(leading), /leading\.safetensors \(a\): data starts at byte 4 after the header, leaving bytes 0\.\.4/);
  });

  test('bytes after the last tensor', () => {
    const file = writeRaw(tmp.path, 'trailing.safetensors', { a: f32(0, 2) }, 9);
    expectCheckpointError(
      () => readSafetensorsHeader(file),
      /trailing\.safetensors: 1 bytes after the last tensor's data \(bytes 8\.\.9 after the header belong to no tensor/,
    );
  });

  test('an empty file', () => {
    const file = join(tmp.path, 'empty.safetensors');
    writeFileSync(file, '');
    expectCheckpointError(() => readSafetensorsHeader(file), /empty\.safetensors: file is 0 bytes long, shorter than the 8-byte .*\(empty or truncated file\)/);
  });

  test('a file shorter than the length prefix', () => {
    const file = join(tmp.path, 'short.safetensors');
    writeFileSync(file, Buffer.from([1, 2, 3]));
    expectCheckpointError(() => readSafetensorsHeader(file), /short\.safetensors: file is 3 bytes long/);
  });

  test('a missing file', () => {
    expectCheckpointError(() => readSafetensorsHeader(join(tmp.path, 'nope.safetensors')), /nope\.safetensors: file is missing/);
  });

  test('a header length of 0', () => {
    const file = writeRaw(tmp.path, 'zero.safetensors', {}, 16, 0n);
    expectCheckpointError(() => readSafetensorsHeader(file), /zero\.safetensors: header length is 0/);
  });

  test('a header length larger than the file', () => {
    const file = writeRaw(tmp.path, 'long.safetensors', { x: f32(0, 1) }, 4, 2000n);
    expectCheckpointError(() => readSafetensorsHeader(file), /long\.safetensors: header length 2000 is larger than the file \(\d+ bytes\)/);
  });

  test('an absurdly large header length (2^60)', () => {
    const file = writeRaw(tmp.path, 'huge.safetensors', { x: f32(0, 1) }, 4, 2n ** 60n);
    expectCheckpointError(() => readSafetensorsHeader(file), /huge\.safetensors: header length 1152921504606846976 is absurdly large/);
  });

  test('a header that is not JSON', () => {
    const file = writeRaw(tmp.path, 'text.safetensors', '{"x": {"dtype": "F32",', 4);
    expectCheckpointError(() => readSafetensorsHeader(file), /text\.safetensors: header is not valid JSON/);
  });

  test('a header that is not UTF-8', () => {
    const file = join(tmp.path, 'latin1.safetensors');
    const header = Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d, 0x20]); // {"é":1} in Latin-1
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(8n);
    writeFileSync(file, Buffer.concat([prefix, header]));
    expectCheckpointError(() => readSafetensorsHeader(file), /latin1\.safetensors: header is not valid UTF-8/);
  });

  test('a header that is a JSON array, string or null', () => {
    const array = writeRaw(tmp.path, 'array.safetensors', [f32(0, 1)], 4);
    expectCheckpointError(() => readSafetensorsHeader(array), /array\.safetensors: header must be a JSON object \(got an array\)/);
    const str = writeRaw(tmp.path, 'string.safetensors', '"hello"', 4);
    expectCheckpointError(() => readSafetensorsHeader(str), /string\.safetensors: header must be a JSON object \(got string\)/);
    const nul = writeRaw(tmp.path, 'null.safetensors', 'null', 4);
    expectCheckpointError(() => readSafetensorsHeader(nul), /null\.safetensors: header must be a JSON object \(got null\)/);
  });

  test('__metadata__ that is not a map of strings', () => {
    const file = writeRaw(tmp.path, 'meta.safetensors', { __metadata__: { format: 'pt', total: 5 }, x: f32(0, 1) }, 4);
    expectCheckpointError(() => readSafetensorsHeader(file), /meta\.safetensors \(__metadata__\): value of "total" must be a string \(got 5\)/);
    const list = writeRaw(tmp.path, 'meta2.safetensors', { __metadata__: ['pt'] }, 0);
    expectCheckpointError(() => readSafetensorsHeader(list), /meta2\.safetensors \(__metadata__\): must be a map of strings to strings/);
  });

  test('an entry that is not an object', () => {
    const file = writeRaw(tmp.path, 'entry.safetensors', { x: 'F32' }, 4);
    expectCheckpointError(() => readSafetensorsHeader(file), /entry\.safetensors \(x\): header entry must be an object/);
  });

  test('an unknown dtype', () => {
    const file = writeRaw(tmp.path, 'dtype.safetensors', { x: { dtype: 'F8_E4M3', shape: [4], data_offsets: [0, 4] } }, 4);
    expectCheckpointError(() => readSafetensorsHeader(file), /dtype\.safetensors \(x\): unknown or unsupported dtype "F8_E4M3" \(supported: F64, F32/);
  });

  test('a negative, fractional or non-array shape', () => {
    const negative = writeRaw(tmp.path, 'neg.safetensors', { x: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 8] } }, 8);
    expectCheckpointError(() => readSafetensorsHeader(negative), /neg\.safetensors \(x\): shape must be an array of non-negative integers \(got \[2,-1\]\)/);
    const fractional = writeRaw(tmp.path, 'frac.safetensors', { x: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, 4);
    expectCheckpointError(() => readSafetensorsHeader(fractional), /frac\.safetensors \(x\): shape must be/);
    const scalar = writeRaw(tmp.path, 'scalar.safetensors', { x: { dtype: 'F32', shape: 1, data_offsets: [0, 4] } }, 4);
    expectCheckpointError(() => readSafetensorsHeader(scalar), /scalar\.safetensors \(x\): shape must be/);
  });

  test('malformed data_offsets', () => {
    const three = writeRaw(tmp.path, 'three.safetensors', { x: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } }, 8);
    expectCheckpointError(() => readSafetensorsHeader(three), /three\.safetensors \(x\): data_offsets must be \[begin, end\]/);
    const negative = writeRaw(tmp.path, 'negoff.safetensors', { x: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, 8);
    expectCheckpointError(() => readSafetensorsHeader(negative), /negoff\.safetensors \(x\): data_offsets must be/);
    const reversed = writeRaw(tmp.path, 'rev.safetensors', { x: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, 8);
    expectCheckpointError(() => readSafetensorsHeader(reversed), /rev\.safetensors \(x\): data_offsets \[8, 4\] has begin after end/);
  });

  test('data offsets outside the data', () => {
    const file = writeRaw(tmp.path, 'outside.safetensors', { w: f32(0, 100) }, 16);
    expectCheckpointError(
      () => readSafetensorsHeader(file),
      /outside\.safetensors \(w\): data_offsets \[0, 400\] reach past the end of the data \(16 bytes after the header\)/,
    );
  });

  test('overlapping tensors', () => {
    const file = writeRaw(tmp.path, 'overlap.safetensors', { a: f32(0, 4), b: f32(8, 4) }, 24);
    expectCheckpointError(() => readSafetensorsHeader(file), /overlap\.safetensors \(b\): data overlaps tensor "a"/);
  });

  test('offsets that do not match shape × dtype', () => {
    const file = writeRaw(tmp.path, 'size.safetensors', { w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, 16);
    expectCheckpointError(
      () => readSafetensorsHeader(file),
      /size\.safetensors \(w\): data_offsets \[0, 12\] span 12 bytes but shape \[2, 2\] of F32 needs 16 bytes/,
    );
  });

  test('a shape whose size overflows is a size mismatch, not a crash', () => {
    const file = writeRaw(tmp.path, 'big.safetensors', { w: { dtype: 'F32', shape: [2 ** 52, 2 ** 52], data_offsets: [0, 4] } }, 4);
    expectCheckpointError(() => readSafetensorsHeader(file), /big\.safetensors \(w\): .* needs 81129638414606681695789005144064 bytes/);
  });

  test('a tensor name listed twice (JSON.parse would silently keep the last)', () => {
    const header = `{"a": ${JSON.stringify(f32(0, 1))}, "b": ${JSON.stringify(f32(4, 1))}, "a": ${JSON.stringify(f32(8, 1))}}`;
    const file = writeRaw(tmp.path, 'dup.safetensors', header, 12);
    expectCheckpointError(() => readSafetensorsHeader(file), /dup\.safetensors \(a\): tensor name appears twice in the header/);
    // The same name spelled with a JSON escape is the same key.
    const escaped = writeRaw(tmp.path, 'dup2.safetensors', `{"a": ${JSON.stringify(f32(0, 1))}, "\\u0061": ${JSON.stringify(f32(4, 1))}}`, 8);
    expectCheckpointError(() => readSafetensorsHeader(escaped), /dup2\.safetensors \(a\): tensor name appears twice/);
  });

  test('a truncated file (valid header, data cut short)', () => {
    const file = join(tmp.path, 'cut.safetensors');
    writeSafetensors(file, [
      { name: 'a', dtype: 'F32', shape: [4], data: new Float32Array(4) },
      { name: 'b', dtype: 'F32', shape: [4], data: new Float32Array(4) },
    ]);
    const header = readSafetensorsHeader(file);
    truncateSync(file, header.dataStart + 20);
    expectCheckpointError(() => readSafetensorsHeader(file), /cut\.safetensors \(b\): data_offsets \[16, 32\] reach past the end of the data \(20 bytes/);
  });

  test('a file truncated after its header was read', () => {
    const file = join(tmp.path, 'shrunk.safetensors');
    writeSafetensors(file, [{ name: 'a', dtype: 'F32', shape: [4], data: new Float32Array(4) }]);
    const header = readSafetensorsHeader(file);
    truncateSync(file, header.dataStart + 6);
    expectCheckpointError(() => readTensorFloat32(header, 'a'), /shrunk\.safetensors: file ends at byte \d+ while reading tensor "a".*truncated/);
  });
});
