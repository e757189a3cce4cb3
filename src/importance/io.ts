import { createHash } from 'node:crypto';
import { CheckpointError } from '../checkpoint/errors.js';
import { readSafetensorsHeader, readTensorFloat32, writeSafetensors } from '../checkpoint/safetensors.js';
import type { ImportanceMap } from './types.js';
import { parseJsonField } from '../checkpoint/metadata.js';

/*
 * An importance file is a safetensors file with one F32 tensor per scored weight under its HF name, and
 * `__metadata__` = { content: "importance", languages: JSON list, provenance: JSON object of strings,
 * scores_sha256: sha256 of every tensor's name and bytes, in order } so that a file damaged after
 * writing is detected on load.
 */

const CONTENT = 'importance';

function scoresHash(scores: ImportanceMap['scores']): string {
  const hash = createHash('sha256');
  for (const [name, { data }] of scores) {
    hash.update(`${name}\0`);
    hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex');
}

/** Importance is finite and ≥ 0: the one rule that saving and loading both check. */
function assertScores(file: string, name: string, data: Float32Array): void {
  const bad = data.findIndex((v) => !(v >= 0 && v < Infinity));
  if (bad >= 0) throw new CheckpointError(file, `score at flat index ${bad} is ${data[bad]}; importance is finite and ≥ 0`, name);
}

/**
 * Writes an importance map as safetensors (atomically: a crash never leaves half a file).
 * @throws CheckpointError, before writing anything, when a score is NaN, infinite or negative (a broken
 *   computation is refused here rather than cached, and a file already there stays as it was).
 */
export function saveImportance(file: string, map: ImportanceMap): void {
  for (const [name, { shape, data }] of map.scores) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`importance of ${name}: shape [${shape}] needs ${size} values, got ${data.length}`);
    assertScores(file, name, data);
  }
  writeSafetensors(
    file,
    [...map.scores].map(([name, { shape, data }]) => ({ name, dtype: 'F32' as const, shape, data })),
    {
      content: CONTENT,
      languages: JSON.stringify(map.languages),
      provenance: JSON.stringify(map.provenance),
      scores_sha256: scoresHash(map.scores),
    },
  );
}

/**
 * Reads an importance file written by {@link saveImportance}, validating everything: the safetensors
 * structure, `content`, `languages` (a non-empty list of strings), `provenance` (strings), F32 tensors
 * only, every score finite and ≥ 0, and the checksum of the scores.
 * @throws CheckpointError naming the file and the field or tensor at fault.
 */
export function loadImportance(file: string): ImportanceMap {
  const header = readSafetensorsHeader(file);
  const meta = header.metadata;
  if (meta.content !== CONTENT) {
    throw new CheckpointError(file, `not an importance file: __metadata__.content is ${JSON.stringify(meta.content)}, expected "${CONTENT}"`);
  }
  const languages = parseJsonField(file, meta, 'languages', 'a non-empty JSON list of language codes', (v) =>
    Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined,
  );
  const provenance = parseJsonField(file, meta, 'provenance', 'a JSON object of strings', (v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string')
      ? (v as Record<string, string>)
      : undefined,
  );
  const scores: ImportanceMap['scores'] = new Map();
  for (const entry of header.entries.values()) {
    if (entry.dtype !== 'F32') throw new CheckpointError(file, `importance must be stored as F32, found ${entry.dtype}`, entry.name);
    const data = readTensorFloat32(header, entry.name);
    assertScores(file, entry.name, data);
    scores.set(entry.name, { shape: entry.shape, data });
  }
  if (scores.size === 0) throw new CheckpointError(file, 'the file holds no importance tensors');
  const sum = scoresHash(scores);
  if (meta.scores_sha256 !== sum) {
    throw new CheckpointError(file, `the scores do not match their checksum (scores_sha256 ${meta.scores_sha256 ?? 'missing'}, data ${sum}): the file is damaged`);
  }
  return { languages, scores, provenance };
}
