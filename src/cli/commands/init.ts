import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_TEXTS } from '../../corpus/texts.js';
import { defineCommand, option, optional, UsageError, withDefault } from '../args.js';
import { checkpointOption, peekConfig } from '../open-model.js';

/** The specs this package runs on its own fixture, shipped beside the build (src/cli/commands and dist/cli/commands are three folders below the root). */
const SPECS_DIR = fileURLToPath(new URL('../../../specs/', import.meta.url));

/** What onnxruntime-node's install script needs to install offline: no download of the CUDA provider. */
const NPMRC_LINE = 'onnxruntime-node-install=skip';

/** The seed the scaffolded config fixes, so every run draws the same property arguments (REGIONS_SEED varies it). */
const SEED = 20240222;

const options = {
  checkpoint: checkpointOption,
  texts: withDefault(option.texts('held-out texts perplexity is measured on, one <lang>.txt per language'), 'udhr'),
  trainTexts: optional(option.texts('texts importance is computed on and further pre-training trains on'), 'the same as --texts'),
  dir: withDefault(option.path('folder', 'the project to scaffold (it has vitest-regions installed)'), '.'),
  force: option.flag('replace files that exist'),
  json: option.flag('print what was written as JSON'),
};

/** A path as the project's files write it: relative to the project, with forward slashes; a built-in name as given. */
function shownFrom(dir: string, path: string): string {
  if (Object.hasOwn(BUILTIN_TEXTS, path)) return path;
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' ? '.' : rel.split(sep).join('/');
}

function configText(settings: { checkpoint: string; texts: string; trainTexts: string; thresholds: string | null }): string {
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const thresholds =
    settings.thresholds === null
      ? ''
      : `      thresholds: ${q(settings.thresholds)}, // what to expect of this checkpoint: \`npx regions thresholds --from reports/results.json --force\` fits it to a run\n`;
  return `import { defineConfig } from 'vitest/config';
import { regions } from 'vitest-regions/vitest/plugin';

// Written by \`regions init\`. The plugin registers the region matchers, opens the checkpoint once per worker,
// and writes the report: reports/index.html and reports/results.json (\`regions compare\` reads it).
// REGIONS_CHECKPOINT=DIR runs the same specs on another checkpoint.
export default defineConfig({
  plugins: [
    regions({
      checkpoint: ${q(settings.checkpoint)}, // config.json, *.safetensors, tokenizer.json
      texts: ${q(settings.texts)}, // held-out text per language (udhr: the UDHR in 30 languages, shipped with the package)
      trainTexts: ${q(settings.trainTexts)}, // text importance is computed on and further pre-training trains on
${thresholds}      seed: ${SEED}, // fast-check's seed: the same property arguments every run (REGIONS_SEED varies it)
    }),
  ],
  // Each spec sets its own time limit (specBudget); the global setup computes importance once, before them.
  test: { include: ['specs/**/*.spec.ts'], hookTimeout: 3_600_000 },
});
`;
}

/** `regions init --checkpoint DIR`: a vitest config, the region specs and a thresholds file in the project. */
export const initCommand = defineCommand({
  name: 'init',
  summary: 'scaffold region specs for a checkpoint: vitest.config.ts, specs/, regions.thresholds.json',
  description:
    'Scaffolds the region specs in a project that has vitest and vitest-regions installed: vitest.config.ts with the ' +
    'plugin (which adds the HTML/JSON report), specs/ with the specs of every finding (the ones this package runs on ' +
    'its own fixture, importing vitest-regions/vitest), regions.thresholds.json (the paper\'s defaults, with $schema ' +
    'pointing at the JSON Schema the package ships; not written when the checkpoint folder has its own), and a line ' +
    `in .npmrc (${NPMRC_LINE}) so installs need no download beyond the registry. Then \`npx vitest run\` reaches a ` +
    'verdict per finding, and `npx regions thresholds --from reports/results.json --force` makes the thresholds expect ' +
    'what this checkpoint showed. Files that exist are left alone unless --force.',
  options,
  async run(values, io) {
    const { dir } = values;
    peekConfig(values.checkpoint); // a checkpoint that cannot be read is said now, not in the first test
    if (!existsSync(join(values.checkpoint, 'tokenizer.json'))) {
      throw new UsageError(`--checkpoint ${values.checkpoint} has no tokenizer.json: the specs tokenize text with it`);
    }
    const { schemaRefFor } = await import('../../findings/thresholds-json-schema.js');
    const { THRESHOLDS_FILE } = await import('../../findings/subject.js');
    const specs = readdirSync(SPECS_DIR).filter((f) => f.endsWith('.spec.ts')).sort();
    if (specs.length === 0) throw new Error(`the package's specs are missing (${SPECS_DIR}): reinstall vitest-regions`);
    const ownThresholds = existsSync(join(values.checkpoint, THRESHOLDS_FILE));
    const thresholdsFile = join(dir, THRESHOLDS_FILE);
    const configs = readdirSync(dir).filter((f) => /^vitest\.config\.[cm]?[jt]s$/.test(f));
    const planned = ['vitest.config.ts', ...specs.map((f) => `specs/${f}`), ...(ownThresholds ? [] : [THRESHOLDS_FILE])];
    const existing = [...new Set([...configs, ...planned.filter((f) => existsSync(join(dir, f)))])];
    if (existing.length > 0 && !values.force) {
      throw new UsageError(`${existing.join(', ')} exist${existing.length === 1 ? 's' : ''} in ${dir}: add --force to replace ${existing.length === 1 ? 'it' : 'them'}`);
    }
    const texts = shownFrom(dir, values.texts);
    const trainTexts = shownFrom(dir, values.trainTexts ?? values.texts);
    writeFileSync(
      join(dir, 'vitest.config.ts'),
      configText({ checkpoint: shownFrom(dir, values.checkpoint), texts, trainTexts, thresholds: ownThresholds ? null : THRESHOLDS_FILE }),
    );
    mkdirSync(join(dir, 'specs'), { recursive: true });
    for (const f of specs) copyFileSync(join(SPECS_DIR, f), join(dir, 'specs', f));
    if (!ownThresholds) {
      const file = { $schema: schemaRefFor(thresholdsFile), checkpoint: shownFrom(dir, values.checkpoint) };
      writeFileSync(thresholdsFile, `${JSON.stringify(file, null, 2)}\n`);
    }
    const npmrc = join(dir, '.npmrc');
    const before = existsSync(npmrc) ? readFileSync(npmrc, 'utf8') : '';
    const hasLine = before.split(/\r?\n/).some((l) => l.trim() === NPMRC_LINE);
    if (!hasLine) appendFileSync(npmrc, `${before === '' || before.endsWith('\n') ? '' : '\n'}${NPMRC_LINE}\n`);
    const written = [...planned, ...(hasLine ? [] : ['.npmrc'])];
    const notes = [
      ...(ownThresholds ? [`thresholds: ${shownFrom(dir, join(values.checkpoint, THRESHOLDS_FILE))} (the checkpoint's own)`] : []),
      ...(values.trainTexts === undefined
        ? [`importance and further pre-training use ${trainTexts}, the texts perplexity is measured on: give --train-texts for text held apart`]
        : []),
    ];
    const next = ['npx vitest run', 'npx regions thresholds --from reports/results.json --force'];
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ dir, written, notes, next }, null, 2)}\n`);
      return;
    }
    io.stdout.write(
      `regions init · checkpoint ${values.checkpoint}\n\n${written.map((f) => `wrote ${f}\n`).join('')}` +
        notes.map((n) => `note: ${n}\n`).join('') +
        `\nnext:\n  ${next[0]}        # every finding's verdict; the report in reports/index.html\n` +
        `  ${next[1]}   # then expect what this checkpoint showed\n`,
    );
  },
});
