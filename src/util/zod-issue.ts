import type { z } from 'zod';

/** The first problem zod found, in the terms every error message of this project uses. */
export interface FirstIssue {
  /** The path as zod gives it. */
  path: readonly PropertyKey[];
  /** The field's path, dotted (`coreRegion.minRatio`, `evaluate.1.text`); '' at the root. */
  field: string;
  /** The same path written as in code (`evaluate[1].text`). */
  codePath: string;
  /** The first path key (the top-level field), or undefined at the root. */
  top: string | undefined;
  message: string;
  /** What the input holds at that path (undefined when nothing is there). */
  received: unknown;
  /** The unknown keys of a strict object (`unrecognized_keys`), else null. */
  unknownKeys: string[] | null;
}

/** The first issue of a failed parse of `input`: where, what, and what was found there. */
export function firstIssue(error: z.ZodError, input: unknown): FirstIssue {
  const issue = error.issues[0]!;
  let received: unknown = input;
  for (const key of issue.path) received = (received as Record<PropertyKey, unknown> | null | undefined)?.[key as PropertyKey];
  return {
    path: issue.path,
    field: issue.path.map(String).join('.'),
    codePath: issue.path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i > 0 ? '.' : ''}${String(k)}`)).join(''),
    top: issue.path.length === 0 ? undefined : String(issue.path[0]),
    message: issue.message,
    received,
    unknownKeys: issue.code === 'unrecognized_keys' ? issue.keys : null,
  };
}

/** A value as a message shows it: JSON, cut to `max` characters with an ellipsis. */
export function shown(value: unknown, max = 60): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > max ? `${s.slice(0, max - 3)}…` : s;
}
