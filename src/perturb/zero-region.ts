import { z } from 'zod';
import { regionSize, type Region } from '../regions/types.js';
import type { PerturbationKind } from './internals/kind.js';
import { assertRegionFits } from './region-fit.js';

const maskSchema = z.object({ shape: z.array(z.number().int().nonnegative()), data: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'mask data must be a Uint8Array') });

/** A {@link Region} as data (masks: HF name → 0/1 bytes, row-major, the weight's shape). */
export const regionSchema = z.object({
  kind: z.custom<Region['kind']>((k) => typeof k === 'string', 'region kind must be a string'),
  fraction: z.number(),
  languages: z.array(z.string()),
  masks: z.map(z.string(), maskSchema),
  counts: z.map(z.string(), z.number()),
  seed: z.number().nullable(),
  provenance: z.record(z.string(), z.string()),
}) satisfies z.ZodType<Region>;

/** Every entry of `region` set to 0 — the paper's removal experiment (core, bottom, random, monolingual). */
export const zeroRegionSchema = z.strictObject({ kind: z.literal('zero-region'), region: regionSchema });

/** See {@link zeroRegionSchema}. */
export type ZeroRegionPerturbation = z.infer<typeof zeroRegionSchema>;

/** Sets every entry of `region` to 0. */
export function zeroRegion(region: Region): ZeroRegionPerturbation {
  return { kind: 'zero-region', region };
}

const percent = (f: number): string => `${Number((f * 100).toPrecision(3))}%`;

/** "zero the top region (k = 1%, ar,es,ru,zh,ko,vi): 1234 entries in 14 weights". */
export const zeroRegionKind: PerturbationKind<ZeroRegionPerturbation> = {
  describe({ region }) {
    const languages = region.languages.length > 0 ? `, ${region.languages.join(',')}` : '';
    const weights = region.masks.size === 1 ? '1 weight' : `${region.masks.size} weights`;
    return `zero the ${region.kind} region (k = ${percent(region.fraction)}${languages}): ${regionSize(region)} entries in ${weights}`;
  },
  edits(model, { region }) {
    assertRegionFits(region, new Map(model.weightNames().map((name) => [name, model.weightShape(name)])));
    return [...region.masks].map(([name, mask]) => ({
      name,
      apply: (current) => current.map((v, i) => (mask.data[i] !== 0 ? 0 : v)),
    }));
  },
};
