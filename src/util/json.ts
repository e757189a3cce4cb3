import { readFileSync } from 'node:fs';

/**
 * Reads and parses a JSON file. @throws Error `<file>: cannot read <what> (<reason>)` when the file is
 * missing, unreadable or not JSON.
 */
export function readJsonFile(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read ${what} (${(err as Error).message})`);
  }
}
