import { z } from 'zod';
import type { Region } from '../../regions/types.js';
import type { CheckpointSubject } from '../../subject/subject.js';
import { firstIssue } from '../../util/zod-issue.js';

/**
 * Validates a matcher's options (zod) — a mistake in a spec is a usage error that names the option, not a
 * failed finding (so `.not` cannot pass on it).
 * @throws TypeError, e.g. `toLoseCompetenceWhenZeroed: option "minRatio": must be > 0 (got -1)`.
 */
export function parseMatcherOptions<S extends z.ZodType>(schema: S, value: unknown, matcher: string): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = firstIssue(parsed.error, value);
  if (issue.unknownKeys !== null) {
    throw new TypeError(`${matcher}: unknown option ${issue.unknownKeys.map((k) => `"${k}"`).join(', ')}`);
  }
  const got = issue.received;
  const shown = got === undefined ? 'nothing' : typeof got === 'object' && got !== null && !Array.isArray(got) ? 'an object' : JSON.stringify(got);
  throw new TypeError(`${matcher}: option "${issue.field}": ${issue.message} (got ${shown})`);
}

const isRegion = (v: unknown): v is Region => typeof v === 'object' && v !== null && (v as Region).masks instanceof Map;

/** A Region, or { kind: 'top' | 'bottom' | 'random', fraction?, seed?, source? } for the subject to select. */
export const regionArgumentSchema = z.union([
  z.custom<Region>(isRegion, 'must be a Region'),
  z.strictObject({
    kind: z.enum(['top', 'bottom', 'random']),
    fraction: z.number().gt(0).lt(1).optional(),
    seed: z.number().int().nonnegative().optional(),
    source: z.enum(['gradient', 'wanda']).optional(),
  }),
]);

/** A control: a region, `random` or `bottom` (same size as the region under test), or `none`. */
export const controlArgumentSchema = z.union([regionArgumentSchema, z.enum(['random', 'bottom', 'none'])]);

export const languagesSchema = z.array(z.string().min(1)).min(1, 'must name at least one language');
export const ratioSchema = z.number('must be a number').gt(0, 'must be > 0');

/** The seed of anything random a matcher draws (controls): the option, else the plugin's `seed`, else 0. */
export function matcherSeed(subject: CheckpointSubject, given: number | undefined): number {
  return given ?? Math.abs(subject.options.seed ?? 0);
}
