import { layerWeight } from '../../checkpoint/names.js';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CheckpointError } from '../../checkpoint/errors.js';
import { listLanguages, readTexts } from '../../corpus/texts.js';
import { textWindows } from '../../corpus/windows.js';
import type { MassiveActivations, SuperWeights } from '../../detect/activations.js';
import type { LanguageNeurons } from '../../detect/language-neurons.js';
import { defineCommand, option, optional, UsageError, withDefault, type Command, type Option, type Values } from '../args.js';
import type { CliIo } from '../io.js';
import { checkpointOption, engineOption, peekConfig, setupLine, withForwardModel } from '../open-model.js';
import { formatTable } from '../../util/table.js';

const DETECTORS = ['super-weights', 'massive-activations', 'language-neurons'] as const;
type Detector = (typeof DETECTORS)[number];

const options = {
  checkpoint: checkpointOption,
  texts: withDefault(option.texts('folder of texts, one <lang>.txt per language'), 'udhr'),
  languages: withDefault(option.list('LIST', 'languages whose text the probe runs on', z.string().regex(/^[\w-]+$/), 'language codes like en,zh'), ['en']),
  maxTokens: withDefault(option.count('N', 'tokens of each language’s text in the probe (whole lines)', 1), 2048),
  seqLen: withDefault(option.count('N', 'tokens per window, BOS included', 2), 128),
  minRatio: withDefault(option.count('N', 'the least spike ratio (super weights: output max ÷ median dim; massive activations: ÷ median |h|)', 1), 0),
  backend: engineOption,
  json: option.flag('print JSON instead of a table'),
  out: optional(
    { kind: 'string', placeholder: 'DIR', description: 'language-neurons: also write each language’s neurons as a region file, DIR/neurons-<lang>.safetensors (for regions overlap, ppl --zero)', required: true, schema: z.string().min(1, 'must name a folder') } satisfies Option<string>,
    'none',
  ),
};

const f = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));

function superText(r: SuperWeights): string {
  const rows = r.layers.map((l) => [String(l.layer), `${f(l.input.value)} @ ${l.input.channel}`, `${f(l.output.value)} @ ${l.output.dim}`, `×${f(l.outputRatio)}`]);
  const table = formatTable(
    [
      { header: 'layer', align: 'right' },
      { header: 'down_proj input max @ channel', align: 'right' },
      { header: 'output max @ dim', align: 'right' },
      { header: 'output ÷ median dim', align: 'right' },
    ],
    rows,
  );
  const found =
    r.candidates.length === 0
      ? `no super weight: no layer's down_proj output spikes to ×${r.criterion.minRatio} its median dim`
      : r.candidates
          .map((c) => `(${c.layer}, ${c.row}, ${c.col}): ${layerWeight(c.layer, 'down_proj')}[${c.row}][${c.col}] = ${c.weight.toPrecision(4)}, output ×${f(c.outputRatio)}${c.known === null ? '' : ` — matches ${c.known.source}'s ${c.known.model}`}`)
          .join('\n');
  return `${table}\nsuper-weight candidates (layer, row, col):\n${found}\n`;
}

function massiveText(r: MassiveActivations): string {
  const rows = r.layers.map((l) => [
    l.layer < 0 ? 'embed' : String(l.layer),
    l.median.toPrecision(3),
    l.top.map((p) => `${f(p.value)} @ ${p.dim} (${p.kind})`).join(', '),
    `×${f(l.ratio)}`,
  ]);
  const table = formatTable(
    [
      { header: 'layer', align: 'right' },
      { header: 'median |h|', align: 'right' },
      { header: 'top |h| @ dim (position)', align: 'left' },
      { header: 'top ÷ median', align: 'right' },
    ],
    rows,
  );
  const { minValue, minRatio } = r.criterion;
  const found =
    r.massive.length === 0
      ? `none: no activation above ${minValue} and ×${minRatio} its layer's median`
      : r.massive.map((m) => `dim ${m.dim}: up to ${f(m.maxValue)} (×${f(m.maxRatio)}) in layers ${m.layers.join(', ')}, at ${m.kinds.join('/')} positions`).join('\n');
  return `${table}\nmassive activations (Sun et al.: > ${minValue} and ≥ ×${minRatio} the median):\n${found}\n`;
}

function neuronsText(r: LanguageNeurons): string {
  const t = r.thresholds;
  const rows = r.languages.map((l) => [l, String(r.tokens[l]), String(r.perLanguage[l]!.neurons), String(r.perLanguage[l]!.exclusive)]);
  const table = formatTable(
    [
      { header: 'language', align: 'left' },
      { header: 'tokens', align: 'right' },
      { header: 'neurons', align: 'right' },
      { header: 'its alone', align: 'right' },
    ],
    rows,
  );
  const top = r.neurons
    .slice(0, 10)
    .map((x) => `layer ${x.layer} neuron ${x.neuron}: entropy ${x.entropy.toFixed(3)}, ${x.languages.length === 0 ? 'no language above the bar' : x.languages.map((l) => `${l} p=${r.probabilities[l]![x.layer * r.ffn + x.neuron]!.toFixed(3)}`).join(', ')}`)
    .join('\n');
  return (
    `${table}\n${r.neurons.length} neurons selected (the ${t.topRate} share of ${r.layers * r.ffn} with the lowest entropy, among those active above ` +
    `p = ${t.filterValue.toFixed(3)} (the ${t.filterRate} quantile) in some language); a neuron belongs to each language where p > ${t.activationBar.toFixed(3)} ` +
    `(the ${t.activationBarRatio} quantile).\nlowest entropy:\n${top}\n`
  );
}

function sub(detector: Detector) {
  return defineCommand({
    name: `detect ${detector}`,
    summary:
      detector === 'super-weights' ? 'super-weight candidates from one forward pass' : detector === 'massive-activations' ? 'massive activations per layer' : 'language-specific FFN neurons (LAPE)',
    description:
      detector === 'language-neurons'
        ? 'Runs each language’s text and measures, per FFN neuron, the share of positions where SiLU(gate) > 0 (its ' +
          'activation probability per language); selects the 1% of neurons with the lowest entropy over languages ' +
          'among those active above the 0.95 quantile somewhere, each belonging to the languages where it is active ' +
          'above that quantile — LAPE, with Tang et al.’s (2024) defaults. Needs at least two --languages.'
        : detector === 'super-weights'
        ? 'Runs the probe text once and reports, per layer, the largest |input| channel and |output| dim of ' +
          'mlp.down_proj; a layer whose output spike is at least --min-ratio (default 50) × its median dim gives a ' +
          'super-weight candidate (layer, row = that dim, col = that channel), as Yu et al. (2024) find them. A ' +
          'candidate equal to a published coordinate on a checkpoint of the same shape is named as a match.'
        : 'Runs the probe text once and reports, after the embedding and after each layer, the largest |activation| ' +
          'of the residual stream on distinct dims, at which kind of position (the first token, a delimiter . or ' +
          'newline, any other), and its ratio to the median |activation|; dims above 100 and --min-ratio (default ' +
          '1000) × the median are massive activations (Sun et al., 2024).',
    options,
    run: (values, io) => runDetector(detector, values, io),
  });
}

async function runDetector(detector: Detector, values: Values<typeof options>, io: CliIo): Promise<void> {
  if (values.out !== undefined && detector !== 'language-neurons') throw new UsageError(`--out writes language-neuron regions: it goes with detect language-neurons, not ${detector}`);
  const config = peekConfig(values.checkpoint);
  const languages = [...new Set(values.languages)];
  const available = listLanguages(values.texts);
  const missing = languages.filter((l) => !available.includes(l));
  if (missing.length > 0) throw new UsageError(`--language: ${values.texts} has no ${missing.map((l) => `${l}.txt`).join(', ')} (it has: ${available.join(', ')})`);
  if (values.seqLen > config.maxPositionEmbeddings) {
    throw new UsageError(`--seq-len ${values.seqLen} exceeds the model's max_position_embeddings (${config.maxPositionEmbeddings})`);
  }
  const texts = readTexts(values.texts, languages);
  const noTokenizer = () => new CheckpointError(values.checkpoint, 'no tokenizer.json: detect needs one to tokenize the probe text');
  if (!existsSync(join(values.checkpoint, 'tokenizer.json'))) throw noTokenizer();
  const [{ isObservable }, detect] = await Promise.all([import('../../model/observe.js'), import('../../detect/activations.js')]);
  await withForwardModel(values, io, async (opened) => {
    const { model, tokenizer } = opened;
    if (tokenizer === null) throw noTokenizer();
    if (!isObservable(model)) throw new UsageError(`detect: the ${opened.backend.name} model offers no activations to observe`);
    const windows = [...texts.values()].flatMap((t) => textWindows(t, tokenizer, { seqLen: values.seqLen, maxTokens: values.maxTokens }).windows);
    if (windows.length === 0) throw new UsageError('--texts: the probe text has no tokens');
    const isDelimiter = detect.delimiterTest((ids) => tokenizer.decode(ids));
    if (detector === 'language-neurons') {
      if (languages.length < 2) throw new UsageError('--languages: language-neurons compares languages; name at least two (e.g. en,zh,ru)');
      const { languageNeurons } = await import('../../detect/language-neurons.js');
      const byLanguage = Object.fromEntries(
        [...texts].map(([l, t]) => [l, textWindows(t, tokenizer, { seqLen: values.seqLen, maxTokens: values.maxTokens }).windows]),
      );
      const r = await languageNeurons(model, byLanguage);
      const probe = { texts: values.texts, languages, max_tokens: values.maxTokens, seq_len: values.seqLen, tokens: r.tokens };
      const written: string[] = [];
      if (values.out !== undefined) {
        const [{ neuronRegion }, { saveRegion }] = await Promise.all([import('../../regions/neurons.js'), import('../../regions/io.js')]);
        mkdirSync(values.out, { recursive: true });
        for (const l of languages) {
          const file = join(values.out, `neurons-${l}.safetensors`);
          const mine = r.neurons.filter((n) => n.languages.includes(l));
          saveRegion(file, neuronRegion(config, mine, l, { detector: 'LAPE (Tang et al. 2024)', text: `${values.texts}, first ${values.maxTokens} tokens per language` }));
          written.push(file);
        }
      }
      if (values.json) {
        const { probabilities: _p, ...rest } = r;
        io.stdout.write(`${JSON.stringify({ detector, backend: { name: opened.backend.name, device: opened.backend.device }, checkpoint: values.checkpoint, probe, ...rest, ...(written.length > 0 && { regions: written }) }, null, 2)}\n`);
      } else {
        io.stdout.write(`${setupLine(`detect ${detector}`, opened)}\nprobe: ${languages.join(', ')} (${values.texts}), up to ${values.maxTokens} tokens each\n\n${neuronsText(r)}${written.map((f) => `wrote ${f}\n`).join('')}`);
      }
      return;
    }
    const minRatio = values.minRatio === 0 ? undefined : values.minRatio;
    const result = detector === 'super-weights' ? await detect.superWeights(model, windows, { minRatio }) : await detect.massiveActivations(model, windows, { isDelimiter, minRatio });
    const probe = { texts: values.texts, languages, max_tokens: values.maxTokens, seq_len: values.seqLen, windows: result.windows, tokens: result.tokens };
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ detector, backend: { name: opened.backend.name, device: opened.backend.device }, checkpoint: values.checkpoint, probe, ...result }, null, 2)}\n`);
    } else {
      const head = `${setupLine(`detect ${detector}`, opened)}\nprobe: ${result.windows} windows, ${result.tokens} tokens of ${languages.join(', ')} (${values.texts})\n\n`;
      io.stdout.write(head + (detector === 'super-weights' ? superText(result as SuperWeights) : massiveText(result as MassiveActivations)));
    }
  });
}

const SUBS = new Map(DETECTORS.map((d) => [d, sub(d)]));

/** `regions detect super-weights|massive-activations|language-neurons`: the forward-only detectors (../../detect/). */
export const detectCommand: Command = {
  name: 'detect',
  summary: 'forward-only detectors: super-weights, massive-activations, language-neurons',
  usage: `regions detect ${DETECTORS.join('|')} --checkpoint DIR [options]`,
  help:
    `regions detect ${DETECTORS.join('|')} --checkpoint DIR [options]\n\n` +
    DETECTORS.map((d) => SUBS.get(d)!.help).join('\n\n'),
  async execute(argv, io) {
    const [name, ...rest] = argv;
    const command = SUBS.get(name as Detector);
    if (command === undefined) throw new UsageError(`detect takes a detector first: ${DETECTORS.join(' or ')} (got ${name === undefined ? 'nothing' : JSON.stringify(name)})`);
    await command.execute(rest, io);
  },
};
