import type { z } from 'zod';
import { firstIssue } from './zod-issue.js';

/** Parses a function's settings, turning a zod failure into one line: "fn: field: message". */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown, fn: string): z.output<S> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = firstIssue(parsed.error, options);
  throw new Error(`${fn}: ${issue.field === '' ? '' : `${issue.field}: `}${issue.message}`);
}
