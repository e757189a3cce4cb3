import { describe } from '../../perturb/perturbation.js';
import { zeroRegion } from '../../perturb/zero-region.js';
import { bottomMask, randomMask } from '../../regions/rank.js';
import { tensorSeed } from '../../regions/select.js';
import { regionSize, type Region } from '../../regions/types.js';
import { mulberry32 } from '../../util/random.js';
import { regionReportData } from '../../region-data/index.js';
import { regionHash } from '../../regions/hash.js';
import type { RegionRequest, CheckpointSubject } from '../../subject/subject.js';
import type { RegionSummary } from './result.js';

/** A region given as masks, or asked of the subject by kind and k. */
export type RegionArgument = Region | RegionRequest;

/** A control region: given, or `random` / `bottom` of the same size as the region under test. */
export type ControlArgument = RegionArgument | 'random' | 'bottom';

function isRegion(r: RegionArgument): r is Region {
  return (r as Region).masks instanceof Map;
}

/** The region itself, or the one the subject selects for a request. */
export async function resolveRegion(subject: CheckpointSubject, region: RegionArgument): Promise<Region> {
  if (isRegion(region)) return region;
  if (typeof region !== 'object' || region === null || !['top', 'bottom', 'random'].includes((region as RegionRequest).kind)) {
    throw new TypeError(`a region must be a Region (masks) or { kind: 'top' | 'bottom' | 'random', fraction?, seed?, source? } (got ${JSON.stringify(region)})`);
  }
  return subject.region(region);
}

/** A region as results record it. */
export function summarizeRegion(region: Region): RegionSummary {
  const sha256 = regionHash(region);
  return {
    // The core region's fingerprint (for `regions compare`) and per-layer layout (the report's heatmap).
    ...(region.kind === 'top' ? regionReportData(region, sha256) : {}),
    kind: region.kind,
    fraction: region.fraction,
    languages: [...region.languages],
    entries: regionSize(region),
    weights: region.masks.size,
    seed: region.seed,
    sha256,
    description: describe(zeroRegion(region)),
  };
}

/**
 * The paper's control for a region: as many entries in each weight as the region holds there (so the
 * same size, weight by weight), chosen uniformly (`random`: each weight from its own generator, seeded by
 * (seed, name) — the one definition of a random region, selectRegion's) or as the lowest summed importance
 * (`bottom`, from the subject's core importance). A given Region is returned as is.
 */
export async function controlRegion(subject: CheckpointSubject, region: Region, control: ControlArgument, seed: number): Promise<Region> {
  if (control !== 'random' && control !== 'bottom') return resolveRegion(subject, control);
  // A bottom control ranks by the importance the region was chosen by: Wanda's for a Wanda region.
  const importance = control === 'bottom' ? (region.kind.startsWith('wanda:') ? await subject.wandaImportance() : await subject.coreImportance()) : null;
  const masks: Region['masks'] = new Map();
  const counts = new Map<string, number>();
  for (const [name, mask] of region.masks) {
    const m = region.counts.get(name) ?? mask.data.reduce((a, v) => a + (v !== 0 ? 1 : 0), 0);
    let data: Uint8Array;
    if (importance === null) {
      data = randomMask(mask.data.length, m, mulberry32(tensorSeed(seed, name))); // as selectRegion draws a random region
    } else {
      const scores = importance.scores.get(name);
      if (scores === undefined) throw new Error(`bottom control: no importance for ${name} (the region has entries there)`);
      data = bottomMask(scores.data, m);
    }
    masks.set(name, { shape: [...mask.shape], data });
    counts.set(name, m);
  }
  return {
    kind: control,
    fraction: region.fraction,
    languages: control === 'bottom' ? [...importance!.languages] : [],
    masks,
    counts,
    seed: control === 'random' ? seed : null,
    provenance: { control_for: regionHash(region) },
  };
}
