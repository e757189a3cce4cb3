/**
 * The thresholds file's JSON Schema (schema/thresholds.schema.json, shipped in the package): generated from
 * the zod schema and current, and — read back as a validator — it accepts what the zod schema accepts and
 * refuses what it refuses, on the shipped fixture's file and on mistakes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseThresholds } from '../../src/findings/thresholds.js';
import { THRESHOLDS_SCHEMA_PATH, thresholdsJsonSchemaText } from '../../src/findings/thresholds-json-schema.js';

const ROOT = join(import.meta.dirname, '../..');
const committed = readFileSync(join(ROOT, THRESHOLDS_SCHEMA_PATH), 'utf8');
const validator = z.fromJSONSchema(JSON.parse(committed) as Parameters<typeof z.fromJSONSchema>[0]);

const accepts = (value: unknown) => validator.safeParse(value).success;
const zodAccepts = (value: unknown) => {
  try {
    parseThresholds(value);
    return true;
  } catch {
    return false;
  }
};

describe('the thresholds JSON Schema', () => {
  it('is the one the zod schema generates (npm run schema rewrites it)', () => {
    expect(committed).toBe(thresholdsJsonSchemaText());
  });

  it("accepts the shipped fixture's thresholds file, whose $schema points at it", () => {
    const file = JSON.parse(readFileSync(join(ROOT, 'fixtures/models/polyglot-v2/regions.thresholds.json'), 'utf8')) as { $schema?: string };
    expect(accepts(file)).toBe(true);
    expect(join(ROOT, 'fixtures/models/polyglot-v2', file.$schema!)).toBe(join(ROOT, THRESHOLDS_SCHEMA_PATH));
  });

  it.each([
    ['an empty file (the paper defaults)', {}, true],
    ['one finding expected not to hold', { coreRegion: { expected: 'does-not-hold', minRatio: 3 } }, true],
    ['an unknown finding', { coreRegions: {} }, false],
    ['an unknown field of a finding', { coreRegion: { minRatio: 3, maxRatio: 4 } }, false],
    ['a fraction of 1', { coreRegion: { fraction: 1 } }, false],
    ['a ratio given as text', { coreRegion: { minRatio: '3' } }, false],
    ['an expectation that is neither', { coreRegion: { expected: 'maybe' } }, false],
    ['evidence without its date', { coreRegion: { evidence: { command: 'npm run specs' } } }, false],
  ])('agrees with the zod schema on %s', (_what, value, valid) => {
    expect(zodAccepts(value)).toBe(valid);
    expect(accepts(value)).toBe(valid);
  });
});
