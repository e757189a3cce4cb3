import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../../checkpoint/errors.js';
import { readTexts } from '../../corpus/texts.js';
import { textWindows } from '../../corpus/windows.js';
import { MASSIVE_MIN_RATIO, SUPER_WEIGHT_MIN_RATIO, type MassiveActivations, type SuperWeights } from '../../detect/activations.js';
import type { LanguageNeurons } from '../../detect/language-neurons.js';
import { DETECTORS, detector, type DetectorName } from '../../detect/registry.js';
import { defineCommand, option, optional, UsageError, withDefault, type Command, type Values } from '../args.js';
import type { CliIo } from '../io.js';
import { checkpointOption, engineOption, languagesIn, peekConfig, setupLine, threadsOption, withForwardModel } from '../open-model.js';

const NAMES = DETECTORS.map((d) => d.name);

const common = {
  checkpoint: checkpointOption,
  texts: withDefault(option.texts('folder of texts, one <lang>.txt per language'), 'udhr'),
  languages: withDefault(option.languages('languages whose text the probe runs on'), ['en']),
  maxTokens: withDefault(option.count('N', 'tokens of each language’s text in the probe (whole lines)', 1), 2048),
  seqLen: withDefault(option.count('N', 'tokens per window, BOS included', 2), 128),
  backend: engineOption,
  threads: threadsOption,
  json: option.flag('print JSON instead of a table'),
};

/** `--min-ratio X` of the spike detectors, defaulting to the detector's own criterion. */
const minRatio = (what: string, value: number) => optional(option.decimal('X', `the least spike ratio (${what})`, { gt: 0 }), String(value));

const options = {
  'super-weights': { ...common, minRatio: minRatio('output max ÷ median dim', SUPER_WEIGHT_MIN_RATIO) },
  'massive-activations': { ...common, minRatio: minRatio('÷ the layer’s median |h|', MASSIVE_MIN_RATIO) },
  'language-neurons': {
    ...common,
    out: optional(
      option.output('DIR', 'also write each language’s neurons as a region file, DIR/neurons-<lang>.safetensors (for regions overlap, ppl --zero)'),
      'none',
    ),
  },
} satisfies Record<DetectorName, object>;

/** Every option a detector may take (each detector declares its own subset above). */
type DetectValues = Values<typeof common> & { minRatio?: number; out?: string };

function sub(d: (typeof DETECTORS)[number]) {
  return defineCommand({
    name: `detect ${d.name}`,
    summary: d.summary,
    description: d.description,
    options: options[d.name] as typeof common,
    run: (values, io) => runDetector(d.name, values as DetectValues, io),
  });
}

async function runDetector(name: DetectorName, values: DetectValues, io: CliIo): Promise<void> {
  const d = detector(name);
  const config = peekConfig(values.checkpoint);
  const languages = languagesIn(values.texts, values.languages);
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
    const { minRatio } = values;
    if (d.probe === 'by-language') {
      if (languages.length < 2) throw new UsageError(`--languages: ${name} compares languages; name at least two (e.g. en,zh,ru)`);
      const byLanguage = Object.fromEntries(
        [...texts].map(([l, t]) => [l, textWindows(t, tokenizer, { seqLen: values.seqLen, maxTokens: values.maxTokens }).windows]),
      );
      const r = (await d.run(model, { kind: 'by-language', windows: byLanguage }, { minRatio })) as LanguageNeurons;
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
        io.stdout.write(`${JSON.stringify({ detector: name, backend: { name: opened.backend.name, device: opened.backend.device }, checkpoint: values.checkpoint, probe, ...rest, ...(written.length > 0 && { regions: written }) }, null, 2)}\n`);
      } else {
        io.stdout.write(`${setupLine(`detect ${name}`, opened)}\nprobe: ${languages.join(', ')} (${values.texts}), up to ${values.maxTokens} tokens each\n\n${d.text(r as never)}${written.map((f) => `wrote ${f}\n`).join('')}`);
      }
      return;
    }
    const result = (await d.run(model, { kind: 'windows', windows }, { isDelimiter, minRatio })) as MassiveActivations | SuperWeights;
    const probe = { texts: values.texts, languages, max_tokens: values.maxTokens, seq_len: values.seqLen, windows: result.windows, tokens: result.tokens };
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ detector: name, backend: { name: opened.backend.name, device: opened.backend.device }, checkpoint: values.checkpoint, probe, ...result }, null, 2)}\n`);
    } else {
      const head = `${setupLine(`detect ${name}`, opened)}\nprobe: ${result.windows} windows, ${result.tokens} tokens of ${languages.join(', ')} (${values.texts})\n\n`;
      io.stdout.write(head + d.text(result as never));
    }
  });
}

const SUBS = new Map(DETECTORS.map((d) => [d.name as string, sub(d)]));

/** `regions detect <detector>`: the forward-only detectors of the registry (../../detect/registry.ts). */
export const detectCommand: Command = {
  name: 'detect',
  summary: `forward-only detectors: ${NAMES.join(', ')}`,
  usage: `regions detect ${NAMES.join('|')} --checkpoint DIR [options]`,
  help:
    `regions detect ${NAMES.join('|')} --checkpoint DIR [options]\n\n` +
    NAMES.map((n) => SUBS.get(n)!.help).join('\n\n'),
  async execute(argv, io) {
    const [name, ...rest] = argv;
    const command = SUBS.get(name ?? '');
    if (command === undefined) throw new UsageError(`detect takes a detector first: ${NAMES.join(' or ')} (got ${name === undefined ? 'nothing' : JSON.stringify(name)})`);
    await command.execute(rest, io);
  },
};
