import { createHash } from 'node:crypto';

/** sha256 (hex) of a UTF-8 string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** sha256 (hex) of a value's JSON (object keys in insertion order: build keys in a fixed order). */
export function jsonHash(value: unknown): string {
  return sha256(JSON.stringify(value));
}
