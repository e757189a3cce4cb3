/**
 * Sorted flat indices ↔ base64 of their gaps as LEB128 varints: a 1% region of a 4096-wide matrix has
 * gaps around 100, one byte each.
 */

/** Encodes strictly increasing non-negative integers (below 2⁵³). */
export function encodeIndices(sorted: readonly number[]): string {
  const bytes: number[] = [];
  let previous = -1;
  for (const index of sorted) {
    let gap = index - previous - 1; // ≥ 0 for strictly increasing input
    previous = index;
    while (gap >= 0x80) {
      bytes.push((gap % 0x80) | 0x80);
      gap = Math.floor(gap / 0x80);
    }
    bytes.push(gap);
  }
  return Buffer.from(bytes).toString('base64');
}

/** Inverse of {@link encodeIndices}. @throws Error on a truncated varint. */
export function decodeIndices(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  const out: number[] = [];
  let previous = -1;
  let gap = 0;
  let scale = 1;
  for (const byte of bytes) {
    gap += (byte & 0x7f) * scale;
    if (byte & 0x80) {
      scale *= 0x80;
      continue;
    }
    previous += gap + 1;
    out.push(previous);
    gap = 0;
    scale = 1;
  }
  if (scale !== 1) throw new Error('truncated index list');
  return out;
}
