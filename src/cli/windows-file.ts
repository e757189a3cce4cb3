import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { firstIssue } from '../util/zod-issue.js';

/** A JSON list of token windows for a model with `vocabSize` ids: `[[1, 5, 9], [1, 7]]`. */
function windowsSchema(vocabSize: number) {
  const id = z
    .number({ error: 'must be a token id (a number)' })
    .int('must be a whole number')
    .min(0, 'must be ≥ 0')
    .max(vocabSize - 1, `is outside the vocabulary [0, ${vocabSize})`);
  const window = z
    .array(id, { error: 'must be a list of token ids' })
    .min(2, 'needs at least 2 tokens, as the first is context only');
  return z.array(window, { error: 'expected a JSON list of windows (lists of token ids)' }).min(1, 'the list of windows is empty');
}

/** Where in the file an issue is: `window 3, token 5: `. */
function where(path: readonly PropertyKey[]): string {
  const [w, t] = path;
  if (w === undefined) return '';
  return t === undefined ? `window ${String(w)}: ` : `window ${String(w)}, token ${String(t)}: `;
}

/**
 * Reads and validates a windows file: a JSON list of windows of at least 2 token ids each, every id
 * inside the vocabulary. Windows may differ in length.
 * @throws Error naming the file, the window (and token) index and the problem.
 */
export function readWindowsFile(file: string, vocabSize: number): number[][] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = windowsSchema(vocabSize).safeParse(json);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error, json);
    const value = issue.received;
    const got =
      issue.path.length === 0 ? '' : Array.isArray(value) ? ` (it has ${value.length})` : ` (got ${JSON.stringify(value)})`;
    throw new Error(`${file}: ${where(issue.path)}${issue.message}${got}`);
  }
  return parsed.data;
}
