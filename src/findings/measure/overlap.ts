/** Two regions of the same model side by side: their sizes, |A ∩ B|, |A ∪ B| and Jaccard, as a record and a table. */
import { regionOverlap } from '../../regions/overlap.js';
import { regionSize, type Region } from '../../regions/types.js';
import type { ResultTable } from './result.js';

export interface RegionsCompared {
  a: { label: string; entries: number };
  b: { label: string; entries: number };
  intersection: number;
  union: number;
  jaccard: number;
}

export function compareRegions(a: Region, aLabel: string, b: Region, bLabel: string): { compared: RegionsCompared; table: ResultTable } {
  const o = regionOverlap(a, b);
  const compared = { a: { label: aLabel, entries: regionSize(a) }, b: { label: bLabel, entries: regionSize(b) }, intersection: o.intersection, union: o.union, jaccard: o.jaccard };
  return {
    compared,
    table: {
      title: `${aLabel} against ${bLabel}`,
      columns: ['entries', aLabel, bLabel, '|∩|', '|∪|', 'Jaccard'],
      rows: [['', String(compared.a.entries), String(compared.b.entries), String(o.intersection), String(o.union), o.jaccard.toFixed(4)]],
    },
  };
}
