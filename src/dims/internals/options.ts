import type { z } from 'zod';

/** Parses a function's settings, turning a zod failure into one line: "fn: field: message". */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown, fn: string): z.output<S> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new Error(`${fn}: ${issue.path.length === 0 ? '' : `${issue.path.join('.')}: `}${issue.message}`);
}
