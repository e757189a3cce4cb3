import { createHash } from 'node:crypto';
import type { Region } from '../../regions/types.js';

/** sha256 (hex) of a UTF-8 string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** sha256 (hex) of a value's JSON (object keys in insertion order: build keys in a fixed order). */
export function jsonHash(value: unknown): string {
  return sha256(JSON.stringify(value));
}

/** Content hash of a region's masks: every weight's name, shape and 0/1 entries, in name order. */
export function regionHash(region: Region): string {
  const hash = createHash('sha256');
  for (const name of [...region.masks.keys()].sort()) {
    const mask = region.masks.get(name)!;
    hash.update(`${name}\0${mask.shape.join(',')}\0`);
    // Masks are 0/1; normalise (slowly) only a mask that holds other non-zero values.
    hash.update(mask.data.every((v) => v <= 1) ? mask.data : Uint8Array.from(mask.data, (v) => (v !== 0 ? 1 : 0)));
  }
  return hash.digest('hex');
}
