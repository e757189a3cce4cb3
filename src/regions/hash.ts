import { createHash } from 'node:crypto';
import type { Region } from './types.js';

/**
 * The content hash of a region: sha256 over every mask's name, shape and 0/1 entries, in name order. The
 * one region identity the project uses — cache keys, report records, further pre-training settings.
 */
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
