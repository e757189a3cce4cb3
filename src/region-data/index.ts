/**
 * What a matcher attaches to the core region's summary in its record (`regions.region.fingerprint` and
 * `.layout`) so that the report can draw where the region sits and `regions compare` can tell whether it
 * moved. Computed once per Region object (a spec asserts on the same region many times), since both walk
 * every entry of every mask — seconds on a LLaMA-7B-size region.
 */
import type { Region } from '../regions/types.js';
import { regionFingerprint } from './fingerprint.js';
import { regionLayout } from './layout.js';
import type { RegionFingerprint, RegionLayout } from './schemas.js';

/** The fingerprint and layout of a region. */
export interface RegionReportData {
  fingerprint: RegionFingerprint;
  layout: RegionLayout;
}

const memo = new WeakMap<Region, RegionReportData>();

/** The fingerprint and layout of `region` (pass its `sha256` when known, to skip hashing the masks again). */
export function regionReportData(region: Region, sha256?: string): RegionReportData {
  let data = memo.get(region);
  if (data === undefined) {
    data = { fingerprint: regionFingerprint(region, sha256 === undefined ? {} : { sha256 }), layout: regionLayout(region) };
    memo.set(region, data);
  }
  return data;
}
