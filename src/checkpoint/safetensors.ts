import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CheckpointError } from './errors.js';
import type { SafetensorsDType, TensorToWrite } from './types.js';

/*
 * The safetensors format: an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON
 * (tensor name → {dtype, shape, data_offsets: [begin, end]}, plus an optional "__metadata__" map of
 * strings), then the raw little-endian tensor bytes. data_offsets are relative to the end of the header.
 * Everything here reads with positioned reads: no function ever holds a whole file in memory.
 */

/** Bytes per element of each safetensors dtype. */
export const DTYPE_BYTES: Readonly<Record<SafetensorsDType, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Headers larger than this are refused: real ones are at most a few MB (one line per tensor). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** One tensor of a safetensors file, with absolute byte offsets into the file: bytes [begin, end). */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

/** The validated header of a safetensors file. */
export interface SafetensorsHeader {
  file: string;
  fileSize: number;
  /** Absolute offset of the first data byte (8 + header length). */
  dataStart: number;
  /** By name, in the order the header lists them. */
  entries: Map<string, SafetensorsEntry>;
  /** The `__metadata__` map ({} when absent). */
  metadata: Record<string, string>;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function assertLittleEndianHost(): void {
  if (!LITTLE_ENDIAN_HOST) throw new Error('safetensors I/O supports little-endian hosts only');
}

function isDType(value: unknown): value is SafetensorsDType {
  return typeof value === 'string' && Object.hasOwn(DTYPE_BYTES, value);
}

/** Opens `file` for reading, turning a missing/unreadable file into a CheckpointError. */
function openForRead(file: string): number {
  try {
    return openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CheckpointError(file, code === 'ENOENT' ? 'file is missing' : `cannot open (${code ?? String(err)})`);
  }
}

/** Reads exactly `length` bytes at `position`, or throws naming what was being read. */
function readExactly(fd: number, file: string, position: number, length: number, what: string): Uint8Array {
  const bytes = new Uint8Array(length);
  const chunk = 1 << 30; // readSync reads at most 2 GiB per call
  let done = 0;
  while (done < length) {
    const n = readSync(fd, bytes, done, Math.min(chunk, length - done), position + done);
    if (n === 0) {
      throw new CheckpointError(
        file,
        `file ends at byte ${position + done} while reading ${what} (needs bytes up to ${position + length}); the file is truncated`,
      );
    }
    done += n;
  }
  return bytes;
}

/**
 * The top-level keys of a JSON object text, in order, duplicates included (JSON.parse keeps only the
 * last of a repeated key, which would silently hide a tensor). `text` must already be valid JSON.
 */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let i = text.indexOf('{') + 1;
  const skipString = (): number => {
    const start = i;
    i++; // opening quote
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return start;
  };
  const skipSpace = (): void => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  for (;;) {
    skipSpace();
    if (text[i] === '}') return keys;
    const start = skipString();
    keys.push(JSON.parse(text.slice(start, i)) as string);
    skipSpace();
    i++; // ':'
    // Skip the value: scan to the ',' or '}' that closes it at depth 0.
    let depth = 0;
    for (;;) {
      const c = text[i];
      if (c === '"') {
        skipString();
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) break;
      i++;
    }
    if (text[i] === ',') i++;
  }
}

function isNonNegativeSafeInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Validates one header entry; offsets in the result are absolute. */
function parseEntry(file: string, name: string, raw: unknown, dataStart: number, dataSize: number): SafetensorsEntry {
  const fail = (message: string): never => {
    throw new CheckpointError(file, message, name);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail(`header entry must be an object {dtype, shape, data_offsets} (got ${JSON.stringify(raw)})`);
  }
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (!isDType(dtype)) {
    fail(`unknown or unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeSafeInteger)) {
    fail(`shape must be an array of non-negative integers (got ${JSON.stringify(shape)})`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeSafeInteger)) {
    fail(`data_offsets must be [begin, end] with non-negative integers (got ${JSON.stringify(offsets)})`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`data_offsets [${begin}, ${end}] has begin after end`);
  if (end > dataSize) {
    fail(
      `data_offsets [${begin}, ${end}] reach past the end of the data (${dataSize} bytes after the header); ` +
        'the file is truncated or the offsets are wrong',
    );
  }
  const dims = shape as number[];
  const dt = dtype as SafetensorsDType;
  const expectedBytes = dims.reduce((n, d) => n * BigInt(d), 1n) * BigInt(DTYPE_BYTES[dt]);
  if (BigInt(end - begin) !== expectedBytes) {
    fail(
      `data_offsets [${begin}, ${end}] span ${end - begin} bytes but shape [${dims.join(', ')}] of ${dt} ` +
        `needs ${expectedBytes} bytes`,
    );
  }
  return { name, dtype: dt, shape: [...dims], begin: dataStart + begin, end: dataStart + end };
}

/**
 * Reads and validates the header of a safetensors file (only the first 8 bytes and the header; the
 * tensor data is not touched).
 * @throws CheckpointError naming the file and, where there is one, the tensor: a file too short for the
 *   length prefix, a header length of 0 / past the end of the file / over {@link MAX_HEADER_BYTES}, a
 *   header that is not a UTF-8 JSON object, a `__metadata__` that is not a string→string map, an unknown
 *   dtype, a malformed shape or data_offsets, offsets outside the data or not matching shape × dtype,
 *   overlapping tensors, a gap between tensors or bytes after the last one, or a tensor name listed twice.
 */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  const fd = openForRead(file);
  try {
    const fileSize = fstatSync(fd).size;
    if (fileSize < 8) {
      throw new CheckpointError(
        file,
        `file is ${fileSize} bytes long, shorter than the 8-byte header length prefix (empty or truncated file)`,
      );
    }
    const prefix = readExactly(fd, file, 0, 8, 'the header length');
    const headerLength = new DataView(prefix.buffer).getBigUint64(0, true);
    if (headerLength === 0n) throw new CheckpointError(file, 'header length is 0');
    if (headerLength > BigInt(MAX_HEADER_BYTES)) {
      throw new CheckpointError(
        file,
        `header length ${headerLength} is absurdly large (over ${MAX_HEADER_BYTES} bytes); not a safetensors file?`,
      );
    }
    if (headerLength > BigInt(fileSize - 8)) {
      throw new CheckpointError(
        file,
        `header length ${headerLength} is larger than the file (${fileSize} bytes); truncated or not a safetensors file`,
      );
    }
    const dataStart = 8 + Number(headerLength);
    const headerBytes = readExactly(fd, file, 8, Number(headerLength), 'the header');
    return parseHeader(file, headerBytes, fileSize, dataStart);
  } finally {
    closeSync(fd);
  }
}

function parseHeader(file: string, headerBytes: Uint8Array, fileSize: number, dataStart: number): SafetensorsHeader {
  let text: string;
  let json: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new CheckpointError(file, 'header is not valid UTF-8');
  }
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(file, `header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const got = json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json;
    throw new CheckpointError(file, `header must be a JSON object (got ${got})`);
  }
  const header = json as Record<string, unknown>;

  const keys = topLevelKeys(text); // in file order (Object.keys would put integer-like names first)
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) throw new CheckpointError(file, 'tensor name appears twice in the header', key);
    seen.add(key);
  }

  const rawMetadata = header['__metadata__'] === undefined ? {} : header['__metadata__'];
  if (typeof rawMetadata !== 'object' || rawMetadata === null || Array.isArray(rawMetadata)) {
    throw new CheckpointError(file, 'must be a map of strings to strings', '__metadata__');
  }
  for (const [key, value] of Object.entries(rawMetadata)) {
    if (typeof value !== 'string') {
      throw new CheckpointError(file, `value of ${JSON.stringify(key)} must be a string (got ${JSON.stringify(value)})`, '__metadata__');
    }
  }
  // fromEntries defines own properties, so even a "__proto__" key stays plain data.
  const metadata = Object.fromEntries(Object.entries(rawMetadata)) as Record<string, string>;

  const dataSize = fileSize - dataStart;
  const entries = new Map<string, SafetensorsEntry>();
  for (const name of keys) {
    if (name !== '__metadata__') entries.set(name, parseEntry(file, name, header[name], dataStart, dataSize));
  }

  const byBegin = [...entries.values()].filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < byBegin.length; i++) {
    const prev = byBegin[i - 1]!;
    const cur = byBegin[i]!;
    if (cur.begin < prev.end) {
      throw new CheckpointError(
        file,
        `data overlaps tensor ${JSON.stringify(prev.name)} (bytes ${cur.begin - dataStart}..${cur.end - dataStart} vs ` +
          `${prev.begin - dataStart}..${prev.end - dataStart} after the header)`,
        cur.name,
      );
    }
  }
  // As the format's reference reader requires: the tensors tile the data buffer exactly — no gap
  // between them, no bytes after the last one.
  let expected = dataStart;
  for (const e of [...entries.values()].sort((a, b) => a.begin - b.begin || a.end - b.end)) {
    if (e.begin > expected) {
      throw new CheckpointError(
        file,
        `data starts at byte ${e.begin - dataStart} after the header, leaving bytes ${expected - dataStart}..${e.begin - dataStart} ` +
          'that belong to no tensor (the tensors must tile the data exactly)',
        e.name,
      );
    }
    expected = Math.max(expected, e.end);
  }
  if (expected !== fileSize) {
    throw new CheckpointError(
      file,
      `${fileSize - expected} bytes after the last tensor's data (bytes ${expected - dataStart}..${fileSize - dataStart} after the header ` +
        'belong to no tensor; the tensors must tile the data exactly)',
    );
  }
  return { file, fileSize, dataStart, entries, metadata };
}

function entryOf(header: SafetensorsHeader, name: string): SafetensorsEntry {
  const entry = header.entries.get(name);
  if (entry === undefined) throw new CheckpointError(header.file, 'no such tensor in the file', name);
  return entry;
}

/** The raw bytes of one tensor, read with a positioned read. */
function readEntryBytes(header: SafetensorsHeader, entry: SafetensorsEntry): Uint8Array {
  const fd = openForRead(header.file);
  try {
    return readExactly(fd, header.file, entry.begin, entry.end - entry.begin, `tensor ${JSON.stringify(entry.name)}`);
  } finally {
    closeSync(fd);
  }
}

/** A tensor as stored: its dtype, shape and raw little-endian bytes. For masks (U8/BOOL) and integer data. */
export function readTensorRaw(
  header: SafetensorsHeader,
  name: string,
): { dtype: SafetensorsDType; shape: number[]; bytes: Uint8Array } {
  const entry = entryOf(header, name);
  return { dtype: entry.dtype, shape: [...entry.shape], bytes: readEntryBytes(header, entry) };
}

/**
 * Reads one floating-point tensor (F32, F16, BF16 or F64) into a new float32 array, row-major.
 * Only that tensor's bytes are read. F64 is rounded to the nearest float32.
 * @throws CheckpointError if the tensor is absent or not of a floating-point dtype.
 */
export function readTensorFloat32(header: SafetensorsHeader, name: string): Float32Array {
  assertLittleEndianHost();
  const entry = entryOf(header, name);
  if (!['F32', 'F16', 'BF16', 'F64'].includes(entry.dtype)) {
    throw new CheckpointError(
      header.file,
      `dtype ${entry.dtype} cannot be read as a floating-point weight (expected F32, F16, BF16 or F64)`,
      name,
    );
  }
  const bytes = readEntryBytes(header, entry);
  // `bytes` starts at offset 0 of its own buffer, so every typed view below is aligned.
  switch (entry.dtype) {
    case 'F32':
      return new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);
    case 'F64':
      return Float32Array.from(new Float64Array(bytes.buffer, 0, bytes.byteLength / 8));
    case 'BF16':
      return bf16BitsToFloat32(new Uint16Array(bytes.buffer, 0, bytes.byteLength / 2));
    default:
      return f16BitsToFloat32(new Uint16Array(bytes.buffer, 0, bytes.byteLength / 2));
  }
}

/** bfloat16 is the top half of a float32: widening is a 16-bit shift. */
export function bf16BitsToFloat32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i]! << 16;
  return new Float32Array(out.buffer);
}

/** The float value of one IEEE half (binary16) bit pattern, subnormals, ±0, ±Infinity and NaN included. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let halfTable: Float32Array | undefined;

/** Decodes IEEE half (binary16) bit patterns to float32, exactly (via a 65536-entry table). */
export function f16BitsToFloat32(bits: Uint16Array): Float32Array {
  if (halfTable === undefined) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToNumber(h);
  }
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfTable[bits[i]!]!;
  return out;
}

/** float32 → bfloat16 bits, rounding to nearest, ties to even; NaN stays a (quiet) NaN. */
export function float32ToBf16Bits(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const b = bits[i]!;
    if ((b & 0x7fffffff) > 0x7f800000) out[i] = (b >>> 16) | 0x0040;
    else out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return out;
}

/** float32 bits → IEEE half bits, round to nearest even; overflow → ±Infinity, tiny → subnormal or ±0. */
function float32BitsToHalf(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const exponent = (b >>> 23) & 0xff;
  const mantissa = b & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200 | (mantissa >>> 13));
  const e = exponent - 127 + 15; // the half's biased exponent
  if (e >= 0x1f) return sign | 0x7c00;
  // Normal halves keep 10 of the 23 mantissa bits; subnormal ones fewer (and gain the implicit 1).
  const full = e > 0 ? mantissa : mantissa | 0x800000;
  const shift = e > 0 ? 13 : 14 - e;
  if (shift > 24) return sign; // below half the smallest subnormal: rounds to ±0
  let q = full >>> shift;
  const rest = full & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (rest > halfway || (rest === halfway && (q & 1) === 1)) q++;
  // A carry out of the mantissa correctly bumps the exponent (up to Infinity).
  return sign | ((e > 0 ? e << 10 : 0) + q);
}

/** float32 → IEEE half (binary16) bits, rounding to nearest, ties to even. */
export function float32ToF16Bits(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32BitsToHalf(bits[i]!);
  return out;
}

/** A tensor whose bytes are produced only when the writer reaches it, so a model is never converted whole. */
export interface LazyTensorToWrite {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  data: () => ArrayBufferView;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}

/**
 * Writes a file atomically: `write` fills a temporary file next to `file` (`<file>.tmp-<pid>-<random>`),
 * which is fsynced and renamed over `file`. A crash leaves either the old file or the new one, never a
 * half-written file; on error the temporary file is removed.
 */
export function writeFileAtomic(file: string, write: (fd: number) => void): void {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  let fd: number | undefined = openSync(tmp, 'wx');
  try {
    write(fd);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  // Make the rename itself durable. Directories cannot be fsynced on every platform: best effort.
  try {
    const dirFd = openSync(dirname(file), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // ignore
  }
}

/**
 * Writes tensors to a safetensors file, in the given order, atomically (see {@link writeFileAtomic}).
 * The header is padded with spaces to a multiple of 8 bytes, so the data starts 8-byte aligned.
 * Tensors are written one by one; a {@link LazyTensorToWrite} is only materialised when its turn comes.
 * @throws CheckpointError if a name is repeated or reserved, or a tensor's byte length does not match
 *   its shape × dtype.
 */
export function writeSafetensors(
  file: string,
  tensors: ReadonlyArray<TensorToWrite | LazyTensorToWrite>,
  metadata?: Record<string, string>,
): void {
  assertLittleEndianHost();
  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  const names = new Set<string>();
  const byteLengths: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__') throw new CheckpointError(file, 'tensor name is reserved', t.name);
    if (names.has(t.name)) throw new CheckpointError(file, 'tensor name given twice', t.name);
    if (!isDType(t.dtype)) throw new CheckpointError(file, `unknown dtype ${JSON.stringify(t.dtype)}`, t.name);
    if (t.shape.some((d) => !isNonNegativeSafeInteger(d))) {
      throw new CheckpointError(file, `shape must be non-negative integers (got [${t.shape.join(', ')}])`, t.name);
    }
    names.add(t.name);
    const bytes = t.shape.reduce((n, d) => n * d, 1) * DTYPE_BYTES[t.dtype];
    byteLengths.push(bytes);
    // Built by hand rather than JSON.stringify(object): objects put integer-like keys first.
    parts.push(`${JSON.stringify(t.name)}:${JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] })}`);
    offset += bytes;
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.byteLength / 8) * 8, 0x20);
  json.copy(padded);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(padded.byteLength));

  writeFileAtomic(file, (fd) => {
    writeAll(fd, prefix);
    writeAll(fd, padded);
    tensors.forEach((t, i) => {
      const data = typeof t.data === 'function' ? t.data() : t.data;
      if (data.byteLength !== byteLengths[i]) {
        throw new CheckpointError(
          file,
          `data has ${data.byteLength} bytes but shape [${t.shape.join(', ')}] of ${t.dtype} needs ${byteLengths[i]}`,
          t.name,
        );
      }
      writeAll(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    });
  });
}
