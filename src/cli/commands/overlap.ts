import { loadRegion } from '../../regions/io.js';
import { regionOverlap, type RegionOverlap } from '../../regions/overlap.js';
import { regionSize, type Region } from '../../regions/types.js';
import { defineCommand, option, type Command } from '../args.js';
import { formatTable } from '../../util/table.js';

const options = {
  regions: option.files('region files (safetensors of U8 masks: regions select, regions detect language-neurons --out); two or more', 2),
  json: option.flag('print JSON instead of a table'),
};

const describe = (r: Region): string => `${r.kind} k=${r.fraction}${r.seed === null ? '' : ` seed ${r.seed}`} (${r.languages.join(', ')})`;

function json(files: string[], regions: Region[], o: RegionOverlap): string {
  const perTensor = Object.fromEntries([...o.perTensor].map(([name, t]) => [name, t]));
  const region = (file: string, r: Region) => ({ file, kind: r.kind, fraction: r.fraction, seed: r.seed, languages: r.languages, size: regionSize(r) });
  const out = {
    a: region(files[0]!, regions[0]!),
    b: region(files[1]!, regions[1]!),
    intersection: o.intersection,
    union: o.union,
    jaccard: o.jaccard,
    per_tensor: perTensor,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

function table(files: string[], regions: Region[], o: RegionOverlap): string {
  const rows = [...o.perTensor].map(([name, t]) => [name, String(t.intersection), String(t.union), t.jaccard.toFixed(4)]);
  rows.push(['all tensors', String(o.intersection), String(o.union), o.jaccard.toFixed(4)]);
  return (
    `regions overlap\nA: ${files[0]} · ${describe(regions[0]!)}\nB: ${files[1]} · ${describe(regions[1]!)}\n\n` +
    formatTable(
      [
        { header: 'tensor', align: 'left' },
        { header: '|A ∩ B|', align: 'right' },
        { header: '|A ∪ B|', align: 'right' },
        { header: 'Jaccard', align: 'right' },
      ],
      rows,
    )
  );
}

/** Every pair of three or more regions: sizes, |∩|, |∪| and Jaccard over all tensors. */
function pairs(files: string[], regions: Region[]): { a: number; b: number; o: RegionOverlap }[] {
  const out: { a: number; b: number; o: RegionOverlap }[] = [];
  for (let a = 0; a < regions.length; a++) for (let b = a + 1; b < regions.length; b++) out.push({ a, b, o: regionOverlap(regions[a]!, regions[b]!) });
  return out;
}

function manyText(files: string[], regions: Region[]): string {
  const list = regions.map((r, i) => `${String.fromCharCode(65 + (i % 26))}${i >= 26 ? Math.floor(i / 26) : ''}: ${files[i]} · ${describe(r)}, ${regionSize(r)} entries`);
  const name = (i: number) => list[i]!.split(':')[0]!;
  const rows = pairs(files, regions).map(({ a, b, o }) => [`${name(a)} · ${name(b)}`, String(o.intersection), String(o.union), o.jaccard.toFixed(4)]);
  return `regions overlap\n${list.join('\n')}\n\n${formatTable(
    [
      { header: 'pair', align: 'left' },
      { header: '|∩|', align: 'right' },
      { header: '|∪|', align: 'right' },
      { header: 'Jaccard', align: 'right' },
    ],
    rows,
  )}`;
}

function manyJson(files: string[], regions: Region[]): string {
  const out = {
    regions: regions.map((r, i) => ({ file: files[i], kind: r.kind, fraction: r.fraction, seed: r.seed, languages: r.languages, size: regionSize(r) })),
    pairs: pairs(files, regions).map(({ a, b, o }) => ({ a: files[a], b: files[b], intersection: o.intersection, union: o.union, jaccard: o.jaccard })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** `regions overlap --regions A,B[,C…]`: Jaccard overlap of two regions, per tensor and overall; of every pair of more. */
export const overlapCommand: Command = defineCommand({
  name: 'overlap',
  summary: 'Jaccard overlap of two regions (per tensor and overall), or of every pair of more',
  description:
    'How much regions of the same model share (files from regions select — on gradient or Wanda importance — ' +
    'or regions detect language-neurons --out): for two, per tensor and over all tensors, the entries both hold ' +
    '(|A ∩ B|), either holds (|A ∪ B|) and the Jaccard index |A ∩ B| / |A ∪ B| (1 when both are empty); for ' +
    'three or more, the Jaccard index of every pair over all tensors. A tensor only one region has counts as ' +
    'empty in the other.',
  options,
  async run(values, io) {
    const files = values.regions;
    const regions = files.map((f) => loadRegion(f));
    if (files.length > 2) {
      io.stdout.write(values.json ? manyJson(files, regions) : manyText(files, regions));
      return;
    }
    const o = regionOverlap(regions[0]!, regions[1]!);
    io.stdout.write(values.json ? json(files, regions, o) : table(files, regions, o));
  },
});
