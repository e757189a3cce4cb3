import { CheckpointError } from './errors.js';

/**
 * Parses one JSON-encoded `__metadata__` field of a safetensors file and checks it with `accept`
 * (which returns the typed value, or undefined to refuse it).
 * @throws CheckpointError naming the file, the field, what was expected and what was found.
 */
export function parseJsonField<T>(
  file: string,
  meta: Record<string, string>,
  field: string,
  expected: string,
  accept: (value: unknown) => T | undefined,
): T {
  const raw = meta[field];
  const fail = (): never => {
    throw new CheckpointError(file, `__metadata__.${field} must be ${expected} (got ${raw === undefined ? 'nothing' : JSON.stringify(raw)})`);
  };
  if (raw === undefined) return fail();
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return fail();
  }
  const accepted = accept(value);
  return accepted === undefined ? fail() : accepted;
}
