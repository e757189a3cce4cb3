import { foldLayer } from '../../checkpoint/names.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { loadImportance } from '../../importance/io.js';
import { saveRegion } from '../../regions/io.js';
import { monolingualRegion } from '../../regions/monolingual.js';
import { selectRegion } from '../../regions/select.js';
import { sumImportance } from '../../regions/sum.js';
import { regionSize, type Region } from '../../regions/types.js';
import type { ImportanceMap } from '../../importance/types.js';
import { defineCommand, option, UsageError, withDefault, type Command, type Option } from '../args.js';
import { formatTable } from '../../util/table.js';

const KIND = /^(top|bottom|random|monolingual:[\w-]+)$/;

const options = {
  importance: option.files('importance files (from regions importance), one per language; several are summed, as for the core region', 1),
  kind: {
    kind: 'string',
    placeholder: 'KIND',
    description: 'top (the core region), bottom, random, or monolingual:<lang> (that language\'s top-k minus the others\')',
    required: true,
    schema: z.string().regex(KIND, 'must be top, bottom, random or monolingual:<lang>'),
  } satisfies Option<string>,
  fraction: option.decimal('K', 'fraction of each weight matrix, in (0, 1); the paper uses 0.01', { gt: 0, lt: 1 }),
  seed: withDefault(option.count('N', 'seed of a random region', 0), 0),
  out: option.output('FILE', 'safetensors file to write: one U8 mask per weight under its HF name'),
  json: option.flag('print JSON instead of a table'),
};

/** The importance files by language (a file that is already a sum is keyed by its languages joined with +). */
function readImportance(files: readonly string[]): Map<string, ImportanceMap> {
  const byLanguage = new Map<string, ImportanceMap>();
  const from = new Map<string, string>();
  for (const file of files) {
    const map = loadImportance(file);
    const key = map.languages.join('+');
    if (byLanguage.has(key)) throw new UsageError(`--importance: ${from.get(key)} and ${file} both hold the importance of ${key}`);
    byLanguage.set(key, map);
    from.set(key, file);
  }
  return byLanguage;
}

/** Counts per kind of tensor (layers folded together): q_proj, k_proj, …, norms. */
function summaryTable(region: Region): string {
  const rows = new Map<string, { entries: number; size: number }>();
  for (const [name, { data }] of region.masks) {
    const key = foldLayer(name);
    const row = rows.get(key) ?? { entries: 0, size: 0 };
    row.entries += region.counts.get(name)!;
    row.size += data.length;
    rows.set(key, row);
  }
  return formatTable(
    [
      { header: 'tensor', align: 'left' },
      { header: 'entries', align: 'right' },
      { header: 'of', align: 'right' },
      { header: 'share', align: 'right' },
    ],
    [...rows].map(([key, r]) => [key, String(r.entries), String(r.size), `${((100 * r.entries) / r.size).toFixed(3)}%`]),
  );
}

const spec = defineCommand({
  name: 'select',
  summary: 'choose a region (core/top, bottom, random, monolingual) from importance files',
  description:
    'Chooses a region per weight matrix inside the transformer layers (embeddings, final norm and LM head ' +
    'excluded), as the paper does: for each tensor of n entries exactly floor(k·n) entries. top: the most ' +
    'important (ties to the lower flat index); bottom: the least important (ties to the higher index, so top ' +
    'and bottom never overlap); random: uniformly, from --seed. Several --importance files (--importance a,b) ' +
    'are summed first; the core region uses the sum over ar, es, ru, zh, ko, vi. ' +
    'monolingual:<lang>: that language\'s top-k minus the union of the top-k of every other language given, ' +
    'one file per language (the language of each file is in its metadata). Writes --out: one U8 mask per ' +
    'weight, the settings in __metadata__.',
  options,
  async run(values, io) {
    const perLanguage = readImportance(values.importance);
    let region: Region;
    if (values.kind.startsWith('monolingual:')) {
      const language = values.kind.slice('monolingual:'.length);
      if (!perLanguage.has(language)) {
        throw new UsageError(`--kind ${values.kind}: no importance file for "${language}" (the files cover ${[...perLanguage.keys()].join(', ')})`);
      }
      region = monolingualRegion(perLanguage, language, values.fraction);
    } else {
      const importance = perLanguage.size === 1 ? [...perLanguage.values()][0]! : sumImportance(perLanguage, [...perLanguage.keys()]);
      region = selectRegion(importance, { kind: values.kind as 'top' | 'bottom' | 'random', fraction: values.fraction, seed: values.seed });
    }
    mkdirSync(dirname(values.out), { recursive: true });
    saveRegion(values.out, region);
    const total = [...region.masks.values()].reduce((n, m) => n + m.data.length, 0);
    const size = regionSize(region);
    if (values.json) {
      const perTensor = Object.fromEntries([...region.counts].map(([name, n]) => [name, { entries: n, of: region.masks.get(name)!.data.length }]));
      const json = { kind: region.kind, fraction: region.fraction, seed: region.seed, languages: region.languages, entries: size, of: total, tensors: region.masks.size, out: values.out, per_tensor: perTensor };
      io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      return;
    }
    const seed = region.seed === null ? '' : `, seed ${region.seed}`;
    io.stdout.write(
      `regions select · ${region.kind} k=${region.fraction}${seed} · languages ${region.languages.join(', ')}\n` +
        `${size} of ${total} entries (${((100 * size) / total).toFixed(3)}%) in ${region.masks.size} tensors\n\n` +
        `${summaryTable(region)}\nwrote ${values.out}\n`,
    );
  },
});

/** `regions select`: a region from importance files. */
export const selectCommand: Command = spec;
