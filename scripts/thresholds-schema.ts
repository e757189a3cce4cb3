/**
 * Writes schema/thresholds.schema.json from the thresholds' zod schema (src/findings/thresholds-json-schema.ts).
 *
 *   npm run schema
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { THRESHOLDS_SCHEMA_PATH, thresholdsJsonSchemaText } from '../src/findings/thresholds-json-schema.js';

const file = join(import.meta.dirname, '..', THRESHOLDS_SCHEMA_PATH);
writeFileSync(file, thresholdsJsonSchemaText());
console.log(`wrote ${THRESHOLDS_SCHEMA_PATH}`);
