/**
 * A region of single parameters — a super weight (Yu et al., 2024: one scalar of an early `down_proj` whose
 * zeroing wrecks the model) is a region of one entry, so that everything that takes a region (zeroing,
 * freezing, the report's region records) takes it too.
 */
import type { Region, RegionKind } from './types.js';

/** One entry of one weight: `[row, col]` of a matrix. */
export interface ParameterEntry {
  tensor: string;
  row: number;
  col: number;
}

/**
 * The region holding exactly these entries. `shapeOf` gives each weight's shape ([rows, cols]).
 * @throws RangeError for an entry outside its weight, or a weight that is not a matrix.
 */
export function parameterRegion(
  entries: readonly ParameterEntry[],
  shapeOf: (tensor: string) => readonly number[],
  kind: RegionKind = 'super-weight',
  provenance: Record<string, string> = {},
): Region {
  const masks: Region['masks'] = new Map();
  const counts = new Map<string, number>();
  let total = 0;
  for (const { tensor, row, col } of entries) {
    const shape = shapeOf(tensor);
    if (shape.length !== 2) throw new RangeError(`parameterRegion: ${tensor} is not a matrix (shape [${shape.join(', ')}])`);
    const [rows, cols] = shape as [number, number];
    if (!(Number.isInteger(row) && row >= 0 && row < rows && Number.isInteger(col) && col >= 0 && col < cols)) {
      throw new RangeError(`parameterRegion: [${row}, ${col}] is outside ${tensor} (shape [${rows}, ${cols}])`);
    }
    let m = masks.get(tensor);
    if (m === undefined) {
      masks.set(tensor, (m = { shape: [rows, cols], data: new Uint8Array(rows * cols) }));
      total += rows * cols;
    }
    if (m.data[row * cols + col] === 0) counts.set(tensor, (counts.get(tensor) ?? 0) + 1);
    m.data[row * cols + col] = 1;
  }
  const held = [...counts.values()].reduce((a, b) => a + b, 0);
  return { kind, fraction: total === 0 ? 0 : held / total, languages: [], masks, counts, seed: null, provenance };
}
