/**
 * The thresholds file's JSON Schema, generated from its zod schema (./thresholds.ts) so the two cannot
 * disagree: editors validate and complete `regions.thresholds.json` through its `$schema`. The package ships
 * the generated file as `schema/thresholds.schema.json` (written by `npm run schema`; a test checks it is
 * current).
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { thresholdsSchema } from './thresholds.js';

/** Where the package ships the schema, relative to the package root. */
export const THRESHOLDS_SCHEMA_PATH = 'schema/thresholds.schema.json';

/** The schema file of this copy of the package (src/findings/ and dist/findings/ are both two folders below its root). */
export const INSTALLED_SCHEMA_FILE = fileURLToPath(new URL(`../../${THRESHOLDS_SCHEMA_PATH}`, import.meta.url));

/** The `$schema` of a thresholds file written to `file`: the path from its folder to this package's schema. */
export function schemaRefFor(file: string): string {
  const path = relative(dirname(resolve(file)), INSTALLED_SCHEMA_FILE).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/** The JSON Schema (draft 2020-12) of a thresholds file as written: every field optional, defaults shown. */
export function thresholdsJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(thresholdsSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'vitest-regions thresholds',
    description:
      "What the region specs expect of one checkpoint: per finding, the numbers its matcher checks, whether the finding is expected to hold ('holds') or not ('does-not-hold'), and the evidence for that. A finding left out gets the paper's defaults.",
    ...rest,
  };
}

/** The schema as the committed file holds it: two-space JSON and a final newline. */
export function thresholdsJsonSchemaText(): string {
  return `${JSON.stringify(thresholdsJsonSchema(), null, 2)}\n`;
}
