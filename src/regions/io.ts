import { CheckpointError } from '../checkpoint/errors.js';
import { readSafetensorsHeader, readTensorRaw, writeSafetensors } from '../checkpoint/safetensors.js';
import { shapeText } from './internals/checks.js';
import { parseJsonField } from '../checkpoint/metadata.js';
import type { Region, RegionKind } from './types.js';

/*
 * A region file is a safetensors file with one U8 mask (1 = in the region) per weight under its HF name,
 * and `__metadata__` = { content: "region", kind, and JSON-encoded fraction, languages, seed, provenance }.
 */

const CONTENT = 'region';
/** Kinds whose share may be 0 (a language with no neuron of its own) or a hair of a matrix (one weight). */
const closedFraction = (kind: string) => kind === 'custom' || kind === 'super-weight' || kind.startsWith('neurons:');
const KIND = /^(top|bottom|random|custom|super-weight|wanda:top|wanda:bottom|monolingual:[\w-]+|neurons:[\w-]+)$/;

/** Writes a region as safetensors (atomically). */
export function saveRegion(file: string, region: Region): void {
  writeSafetensors(
    file,
    [...region.masks].map(([name, { shape, data }]) => ({ name, dtype: 'U8' as const, shape, data })),
    {
      content: CONTENT,
      kind: region.kind,
      fraction: JSON.stringify(region.fraction),
      languages: JSON.stringify(region.languages),
      seed: JSON.stringify(region.seed),
      provenance: JSON.stringify(region.provenance),
    },
  );
}

/**
 * Reads a region written by {@link saveRegion} and validates it: `content`, `kind`, `fraction` (in (0, 1);
 * [0, 1] for `custom`), `languages`, `seed` (null, or an integer in [0, 2³²) — required for `random`),
 * `provenance`, U8 masks of only 0 and 1. With `shapes` (HF name → shape of the model's weights), every
 * mask must name a weight of that shape. Counts are recomputed from the masks.
 * @throws CheckpointError naming the file and the field or tensor at fault (for a shape: both shapes).
 */
export function loadRegion(file: string, shapes?: ReadonlyMap<string, readonly number[]>): Region {
  const header = readSafetensorsHeader(file);
  const meta = header.metadata;
  if (meta.content !== CONTENT) {
    throw new CheckpointError(file, `not a region file: __metadata__.content is ${JSON.stringify(meta.content)}, expected "${CONTENT}"`);
  }
  const kind = meta.kind;
  if (kind === undefined || !KIND.test(kind)) {
    throw new CheckpointError(file, `__metadata__.kind must be top, bottom, random, custom, super-weight, wanda:top, wanda:bottom, monolingual:<lang> or neurons:<lang> (got ${JSON.stringify(kind)})`);
  }
  const fraction = parseJsonField(file, meta, 'fraction', closedFraction(kind) ? 'a number in [0, 1]' : 'a number in (0, 1)', (v) =>
    typeof v === 'number' && (closedFraction(kind) ? v >= 0 && v <= 1 : v > 0 && v < 1) ? v : undefined,
  );
  const languages = parseJsonField(file, meta, 'languages', 'a JSON list of language codes', (v) =>
    Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined,
  );
  const seed = parseJsonField(file, meta, 'seed', kind === 'random' ? 'an integer in [0, 2^32)' : 'null or an integer in [0, 2^32)', (v) =>
    (v === null && kind !== 'random') || (Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 32)
      ? { value: v as number | null }
      : undefined,
  ).value;
  const provenance = parseJsonField(file, meta, 'provenance', 'a JSON object of strings', (v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string')
      ? (v as Record<string, string>)
      : undefined,
  );
  const masks: Region['masks'] = new Map();
  const counts = new Map<string, number>();
  for (const name of header.entries.keys()) {
    const { dtype, shape, bytes } = readTensorRaw(header, name);
    if (dtype !== 'U8') throw new CheckpointError(file, `a region mask must be U8, found ${dtype}`, name);
    const bad = bytes.findIndex((v) => v > 1);
    if (bad >= 0) throw new CheckpointError(file, `mask value at flat index ${bad} is ${bytes[bad]}; masks hold only 0 and 1`, name);
    if (shapes !== undefined) {
      const expected = shapes.get(name);
      if (expected === undefined) throw new CheckpointError(file, 'the model has no weight of this name', name);
      if (expected.join() !== shape.join()) {
        throw new CheckpointError(file, `mask has shape ${shapeText(shape)} but the model's weight has ${shapeText(expected)}`, name);
      }
    }
    masks.set(name, { shape, data: bytes });
    counts.set(name, bytes.reduce((n, v) => n + v, 0));
  }
  return { kind: kind as RegionKind, fraction, languages, masks, counts, seed, provenance };
}
