import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expectedWeightShapes } from '../../checkpoint/config.js';
import { CheckpointError } from '../../checkpoint/errors.js';
import { readTexts } from '../../corpus/texts.js';
import { textPerplexity, type LanguagePerplexity } from '../../metrics/perplexity.js';
import { withPerturbation } from '../../perturb/with-perturbation.js';
import type { Transfers } from '../../engine/onnx/ort-model.js';
import { zeroRegion } from '../../perturb/zero-region.js';
import { loadRegion } from '../../regions/io.js';
import { regionSize, type Region } from '../../regions/types.js';
import { defineCommand, option, optional, UsageError, withDefault, type Values } from '../args.js';
import { checkpointOption, engineOption, languagesIn, languagesOption, peekConfig, setupLine, threadsOption, withForwardModel } from '../open-model.js';
import { withProgress } from '../progress.js';
import { formatTable } from '../../util/table.js';

const options = {
  checkpoint: checkpointOption,
  texts: option.texts('folder of texts, one <lang>.txt per language'),
  languages: languagesOption('languages to score', 'every <lang>.txt in --texts'),
  seqLen: withDefault(option.count('N', 'tokens per window, BOS included', 2), 128),
  maxTokens: optional(option.count('N', 'score at most N tokens of each text', 1), 'the whole text'),
  batchSize: withDefault(option.count('N', 'windows per forward pass', 1), 8),
  zero: optional(option.path('file', 'region file (regions select) whose entries are set to 0 while scoring; the weights are restored after'), 'nothing zeroed'),
  backend: engineOption,
  threads: threadsOption,
  json: option.flag('print JSON instead of a table'),
};

/** The region of `--zero`, or null. */
function zeroedOf(values: Values<typeof options>): { file: string; region: Region } | null {
  if (values.zero === undefined) return null;
  return { file: values.zero, region: loadRegion(values.zero, expectedWeightShapes(peekConfig(values.checkpoint))) };
}

/** What `--zero` zeroed, as the outputs say it. */
function zeroedJson(zeroed: { file: string; region: Region } | null) {
  if (zeroed === null) return null;
  const { region } = zeroed;
  return { file: zeroed.file, kind: region.kind, fraction: region.fraction, languages: region.languages, entries: regionSize(region), weights: region.masks.size };
}

function jsonReport(
  values: Values<typeof options>,
  backend: { name: string; device: string },
  results: Map<string, LanguagePerplexity>,
  zeroed: { file: string; region: Region } | null,
  transfers: Readonly<Transfers> | null,
): string {
  const languages = Object.fromEntries(
    [...results].map(([lang, r]) => [lang, { tokens: r.tokens, mean_nll: r.meanNll, ppl: r.ppl, bits_per_byte: r.bitsPerByte }]),
  );
  const json = {
    backend: { name: backend.name, device: backend.device },
    checkpoint: values.checkpoint,
    seq_len: values.seqLen,
    max_tokens: values.maxTokens ?? null,
    zeroed: zeroedJson(zeroed),
    // Bytes moved between the host and a GPU provider's memory (weights uploaded once, ids in, results out); null on the CPU.
    transfers: transfers === null ? null : { runs: transfers.runs, weight_bytes: transfers.weightBytes, input_bytes: transfers.inputBytes, output_bytes: transfers.outputBytes },
    languages,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

function tableReport(results: Map<string, LanguagePerplexity>): string {
  return formatTable(
    [
      { header: 'language', align: 'left' },
      { header: 'tokens', align: 'right' },
      { header: 'mean NLL', align: 'right' },
      { header: 'ppl', align: 'right' },
      { header: 'bits/byte', align: 'right' },
    ],
    [...results].map(([lang, r]) => [lang, String(r.tokens), r.meanNll.toFixed(4), r.ppl.toFixed(2), r.bitsPerByte.toFixed(4)]),
  );
}

/** `regions ppl`: perplexity of a checkpoint per language, on a folder of texts. */
export const pplCommand = defineCommand({
  name: 'ppl',
  summary: 'perplexity per language on a folder of texts',
  description:
    'Perplexity of the checkpoint on each <lang>.txt of --texts. Each text is tokenized line by line and cut ' +
    'into non-overlapping windows of --seq-len tokens, each starting with BOS, so every text token is ' +
    'predicted exactly once. Reports tokens predicted, mean NLL (nats), perplexity and bits per byte ' +
    '(comparable across tokenizers). With --zero, the entries of a region file (from regions select) are ' +
    'set to 0 while scoring, as the core-region finding does it; the weights are restored afterwards.',
  options,
  async run(values, io) {
    const languages = languagesIn(values.texts, values.languages);
    const config = peekConfig(values.checkpoint);
    if (values.seqLen > config.maxPositionEmbeddings) {
      throw new UsageError(`--seq-len ${values.seqLen} exceeds the model's max_position_embeddings (${config.maxPositionEmbeddings})`);
    }
    const texts = readTexts(values.texts, languages);
    const zeroed = zeroedOf(values); // a bad region file fails before the slow load
    const noTokenizer = () => new CheckpointError(values.checkpoint, 'no tokenizer.json: ppl needs one to tokenize the texts');
    if (!existsSync(join(values.checkpoint, 'tokenizer.json'))) throw noTokenizer(); // say so before the slow load
    await withForwardModel(values, io, async (opened) => {
      const { model, tokenizer } = opened;
      if (tokenizer === null) throw noTokenizer();
      const results = new Map<string, LanguagePerplexity>();
      const score = async (on: typeof model) => {
        for (const [i, lang] of languages.entries()) {
          const label = `scoring ${lang} (${i + 1}/${languages.length})`;
          const result = await withProgress(io.stderr, label, 'windows', (onProgress) =>
            textPerplexity(on, tokenizer, texts.get(lang)!, {
              seqLen: values.seqLen,
              maxTokens: values.maxTokens,
              batchSize: values.batchSize,
              onProgress,
            }),
          );
          results.set(lang, result);
        }
      };
      if (zeroed === null) await score(model);
      else await withPerturbation(model, zeroRegion(zeroed.region), score);
      if (values.json) {
        const moved = 'transfers' in model && opened.backend.name !== 'ort-cpu' ? (model.transfers as Transfers) : null;
        io.stdout.write(jsonReport(values, opened.backend, results, zeroed, moved));
      } else {
        const limit = values.maxTokens === undefined ? '' : `, at most ${values.maxTokens} tokens per text`;
        const z = zeroedJson(zeroed);
        const zero = z === null ? '' : `\nzeroed: ${z.file} (${z.kind}, k = ${+(z.fraction * 100).toPrecision(3)}%: ${z.entries} entries in ${z.weights} weights)`;
        io.stdout.write(`${setupLine('ppl', opened)}\nwindows of ${values.seqLen} tokens${limit}${zero}\n\n${tableReport(results)}`);
      }
    });
  },
});
