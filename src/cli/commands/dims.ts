import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expectedWeightShapes } from '../../checkpoint/config.js';
import { CheckpointError } from '../../checkpoint/errors.js';
import { readTexts } from '../../corpus/texts.js';
import { textWindows } from '../../corpus/windows.js';
import { concentrationOptionsSchema, regionConcentration, type RegionConcentration, type RoleConcentration } from '../../dims/concentration.js';
import type { ActivationOutliers, PositionMagnitudes } from '../../detect/outliers.js';
import { loadRegion } from '../../regions/io.js';
import { regionSize, type Region } from '../../regions/types.js';
import { defineCommand, option, optional, UsageError, withDefault, type Values } from '../args.js';
import { checkpointOption, engineOption, languagesIn, peekConfig, setupLine, threadsOption, withForwardModel } from '../open-model.js';
import { formatTable } from '../../util/table.js';

const options = {
  checkpoint: checkpointOption,
  region: optional(option.path('file', 'region file (from regions select): report its concentration on hidden dims'), 'no concentration report'),
  texts: optional(option.texts('folder of texts, one <lang>.txt per language: report activation outliers on the text of --languages'), 'no activation report'),
  languages: withDefault(option.languages('languages of --texts whose text the model runs on'), ['en']),
  top: withDefault(option.count('N', 'dims to list per role and per layer', 1), 5),
  seqLen: withDefault(option.count('N', 'tokens per window, BOS included', 2), 128),
  maxTokens: optional(option.count('N', 'read at most N tokens of the text', 1), 'the whole text'),
  batchSize: withDefault(option.count('N', 'windows per forward pass', 1), 8),
  backend: engineOption,
  threads: threadsOption,
  json: option.flag('print JSON instead of tables'),
};

type DimsValues = Values<typeof options>;

/** The flagging rule's defaults, for --help. */
const FLAG = concentrationOptionsSchema.parse({});

const ROLE_LABEL: Record<RoleConcentration['role'], string> = {
  writes: 'writes: rows of o_proj, down_proj',
  reads: 'reads: columns of q/k/v/gate/up_proj (qkv_proj, gate_up_proj where fused)',
  norms: "norms: the layers' RMSNorm gains",
};

function concentrationText(region: Region, c: RegionConcentration): string {
  const languages = region.languages.length > 0 ? ` · languages ${region.languages.join(', ')}` : '';
  const lines = [
    `region ${region.kind} k=${region.fraction}${languages} · ${regionSize(region)} entries in ${region.masks.size} tensors`,
    `per hidden dim: z = (count − expected) / √variance against a uniform spread (binomial per weight); ` +
      `flagged when z ≥ ${c.zThreshold} and count ≥ ${c.minCount}`,
  ];
  for (const role of [c.writes, c.reads, c.norms]) {
    if (role.weights.length === 0) continue;
    const flagged = role.flagged.length === 0 ? 'none' : role.flagged.map((x) => x.dim).join(', ');
    lines.push('', `${ROLE_LABEL[role.role]} (${role.weights.length} tensors, ${role.entries} entries) · flagged dims: ${flagged}`);
    lines.push(
      formatTable(
        [
          { header: 'dim', align: 'right' },
          { header: 'count', align: 'right' },
          { header: 'expected', align: 'right' },
          { header: 'z', align: 'right' },
          { header: 'flagged', align: 'left' },
        ],
        role.top.map((x) => [String(x.dim), String(x.count), x.expected.toFixed(1), x.z.toFixed(1), x.flagged ? 'yes' : '']),
      ).trimEnd(),
    );
  }
  return `${lines.join('\n')}\n`;
}

const dimList = (p: PositionMagnitudes): string => p.top.map((x) => `${x.dim} (${x.ratio.toFixed(1)}×)`).join(', ');

function outliersText(languages: readonly string[], a: ActivationOutliers): string {
  const table = formatTable(
    [
      { header: 'after', align: 'left' },
      { header: 'median', align: 'right' },
      { header: 'top dims at other positions (× median)', align: 'left' },
      { header: 'BOS median', align: 'right' },
      { header: 'top dims at the first position, BOS (× median)', align: 'left' },
    ],
    a.layers.map((l) => [
      l.layer < 0 ? 'embedding' : `layer ${l.layer}`,
      l.rest.median.toPrecision(3),
      dimList(l.rest),
      l.first.median.toPrecision(3),
      dimList(l.first),
    ]),
  );
  const top = a.top.map((x) => `${x.dim} (${x.ratio.toFixed(1)}× after ${x.layer < 0 ? 'the embedding' : `layer ${x.layer}`}, ${x.positions} position${x.positions === 'rest' ? 's' : ''})`);
  return (
    `residual stream on ${languages.join(', ')}: ${a.windows} windows, ${a.tokens} positions · per layer and dim the largest |activation|, ` +
    `against the median over dims\n\n${table}\nmost outlying dims: ${top.join(', ')}\n`
  );
}

function roleJson(role: RoleConcentration): object {
  const dim = (x: RoleConcentration['top'][number]) => ({ dim: x.dim, count: x.count, expected: x.expected, z: x.z, flagged: x.flagged });
  return { weights: role.weights.length, entries: role.entries, top: role.top.map(dim), flagged: role.flagged.map(dim) };
}

function positionsJson(p: PositionMagnitudes): object {
  return { median: p.median, top: p.top.map((x) => ({ dim: x.dim, max_abs: x.maxAbs, ratio: x.ratio })) };
}

function toJson(values: DimsValues, region: Region | null, c: RegionConcentration | null, a: ActivationOutliers | null, backend: object | null): string {
  const json = {
    checkpoint: values.checkpoint,
    backend,
    region:
      region === null || c === null
        ? null
        : {
            file: values.region,
            kind: region.kind,
            fraction: region.fraction,
            languages: region.languages,
            entries: regionSize(region),
            z_threshold: c.zThreshold,
            min_count: c.minCount,
            writes: roleJson(c.writes),
            reads: roleJson(c.reads),
            norms: roleJson(c.norms),
          },
    activations:
      a === null
        ? null
        : {
            languages: values.languages,
            seq_len: values.seqLen,
            max_tokens: values.maxTokens ?? null,
            windows: a.windows,
            tokens: a.tokens,
            layers: a.layers.map((l) => ({ layer: l.layer, first: positionsJson(l.first), rest: positionsJson(l.rest) })),
            top: a.top.map((x) => ({ dim: x.dim, max_abs: x.maxAbs, ratio: x.ratio, layer: x.layer, positions: x.positions })),
          },
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** `regions dims`: which hidden dimensions a region lines up on, and which carry massive activations. */
export const dimsCommand = defineCommand({
  name: 'dims',
  summary: "a region's concentration on hidden dims, and the residual stream's outlier dims",
  description:
    'The paper\'s dimensional dependence. With --region: the region\'s entries per hidden dimension, summed over ' +
    'the layers\' residual writers (rows of o_proj, down_proj), readers (columns of q/k/v/gate/up_proj, or the fused qkv_proj/gate_up_proj) and norms, ' +
    `each against a uniform spread (binomial z-score; a dim is flagged at z ≥ ${FLAG.zThreshold} with at least ${FLAG.minCount} entries). Needs no ` +
    'weights. With --texts: runs the model on the text of --languages (BOS-led windows of --seq-len) and reports, after ' +
    'the embedding and after each layer, the dims with the largest |activation| at the first position (BOS) and at ' +
    'the others, as multiples of the median over dims (massive activations: LLaMA-2-13B\'s dims 2100 and 4743).',
  options,
  async run(values, io) {
    if (values.region === undefined && values.texts === undefined) throw new UsageError('give --region FILE, --texts DIR, or both');
    const config = peekConfig(values.checkpoint);
    let region: Region | null = null;
    let concentration: RegionConcentration | null = null;
    if (values.region !== undefined) {
      region = loadRegion(values.region, expectedWeightShapes(config));
      concentration = regionConcentration(region, config, { top: values.top });
    }
    if (values.texts === undefined) {
      io.stdout.write(values.json ? toJson(values, region, concentration, null, null) : `regions dims · checkpoint ${values.checkpoint}\n\n${concentrationText(region!, concentration!)}`);
      return;
    }
    const texts = values.texts;
    const languages = languagesIn(texts, values.languages);
    if (values.seqLen > config.maxPositionEmbeddings) {
      throw new UsageError(`--seq-len ${values.seqLen} exceeds the model's max_position_embeddings (${config.maxPositionEmbeddings})`);
    }
    const read = readTexts(texts, languages);
    const noTokenizer = () => new CheckpointError(values.checkpoint, 'no tokenizer.json: dims --texts needs one to tokenize the text');
    if (!existsSync(join(values.checkpoint, 'tokenizer.json'))) throw noTokenizer(); // say so before the slow load
    // Imported here: it loads tfjs, which --help and a region-only run should not wait for.
    const { activationOutliers } = await import('../../detect/outliers.js');
    await withForwardModel(values, io, async (opened) => {
      const { model, tokenizer } = opened;
      if (tokenizer === null) throw noTokenizer();
      const windows = languages.flatMap((l) => textWindows(read.get(l)!, tokenizer, { seqLen: values.seqLen, maxTokens: values.maxTokens }).windows);
      if (windows.length === 0) throw new UsageError(`--texts: ${languages.map((l) => `${l}.txt`).join(', ')} has no tokens to run`);
      const outliers = await activationOutliers(model, windows, { top: values.top, batchSize: values.batchSize });
      if (values.json) {
        const backend = { name: opened.backend.name, device: opened.backend.device };
        io.stdout.write(toJson(values, region, concentration, outliers, backend));
      } else {
        const regionPart = region === null ? '' : `${concentrationText(region, concentration!)}\n`;
        io.stdout.write(`${setupLine('dims', opened)}\n\n${regionPart}${outliersText(languages, outliers)}`);
      }
    });
  },
});
