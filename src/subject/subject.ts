/**
 * The checkpoint under test, opened once and measured many times: the model on the chosen backend, its
 * tokenizer, the evaluation texts, and everything derived from them — baseline perplexity, importance,
 * regions — each computed once, kept in memory, and cached on disk by a content hash of exactly what
 * determines it. It knows nothing of findings: ../findings/subject.ts adds the checkpoint's thresholds and
 * makes the {@link RegionsSubject} that the vitest fixture `subject` and `openSubject` give. No vitest imports here.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readModelConfig } from '../checkpoint/config.js';
import { checkpointHash } from '../checkpoint/hash.js';
import { loadCheckpoint } from '../checkpoint/load.js';
import { readTexts } from '../corpus/texts.js';
import { assertFits, availableMemory, gradientPasses, importanceSlices, type AvailableMemory } from '../engine/memory.js';
import { isTfjsBackend, openForward, resolveEngineName } from '../engine/select.js';
import { loadTokenizer } from '../tokenizer/tokenizer.js';
import { OpenedSubject } from './internals/opened-subject.js';
import { PAPER_FRACTION, type RegionDefaults } from './types.js';
import {
  checkpointSource,
  isResolvedOptions,
  resolveRegionsOptions,
  RegionsOptionsError,
  type RegionsOptions,
  type ResolvedRegionsOptions,
} from './options.js';

export * from './types.js';

/** The options resolved (as the plugin resolves them), and the checkpoint folder checked. */
export function resolved(options: RegionsOptions | ResolvedRegionsOptions): ResolvedRegionsOptions {
  const o = isResolvedOptions(options) ? options : resolveRegionsOptions(options);
  checkFolder(o);
  return o;
}

function checkFolder(options: ResolvedRegionsOptions): void {
  const dir = options.checkpoint;
  const source = checkpointSource(options);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RegionsOptionsError(source, `checkpoint folder not found: ${dir}`);
  if (!existsSync(join(dir, 'config.json'))) throw new RegionsOptionsError(source, `${dir} is not a checkpoint: config.json is missing`);
}

function readEvalTexts(options: ResolvedRegionsOptions): Map<string, string> {
  const folderOk = existsSync(options.texts) && statSync(options.texts).isDirectory();
  try {
    return readTexts(options.texts, options.languages);
  } catch (err) {
    // A missing folder is the `texts` option's fault; a missing language, the `languages` option's.
    throw new RegionsOptionsError(folderOk && options.languages !== undefined ? 'option "languages"' : 'option "texts"', (err as Error).message);
  }
}

/**
 * Refuses, from config.json alone, a checkpoint whose subject would not fit in memory: it holds the weights
 * (twice while a tfjs backend uploads them), one importance map per region language, and one importance pass
 * with a batch's activations — the pass the CLI's `regions importance` checks for (../engine/memory.ts).
 */
function checkMemory(o: ResolvedRegionsOptions, available: number | AvailableMemory | undefined): void {
  const config = readModelConfig(join(o.checkpoint, 'config.json'));
  const onTfjs = isTfjsBackend(resolveEngineName(o.backend ?? 'auto'));
  const seqLen = Math.min(o.seqLen, config.maxPositionEmbeddings);
  const job = {
    kind: 'importance',
    engine: onTfjs ? 'tfjs' : 'onnxruntime',
    maps: o.regionLanguages.length,
    gradientPasses: gradientPasses(o.importanceTokens, o.batchSize, seqLen),
    batch: o.batchSize,
    seqLen,
  } as const;
  // Importance computes the gradients in as many slices as it needs to fit (../importance/internals/score.ts).
  const room = available ?? availableMemory();
  const slices = importanceSlices(config, job, typeof room === 'number' ? room : room.bytes);
  assertFits(o.checkpoint, config, { ...job, slices }, room);
}

/**
 * Opens the checkpoint under test: checks that it fits in memory, starts the backend, loads and hashes the
 * checkpoint, its tokenizer and the evaluation texts. Takes the plugin's options (resolved
 * against the working directory and the environment, as the plugin does) or the resolved options a test
 * worker received. Call `close()` when done (the vitest fixture does). `machine.available` replaces the
 * memory this process can take (default: MemAvailable or the cgroup's limit, whichever is lower).
 * @throws RegionsOptionsError naming the option at fault (a missing folder, text, tokenizer);
 *   CheckpointError naming the checkpoint and the memory it needs, part by part, when it would not fit.
 */
export async function openCheckpointSubject(
  options: RegionsOptions | ResolvedRegionsOptions,
  settings: { regionDefaults?: RegionDefaults; available?: number | AvailableMemory } = {},
): Promise<OpenedSubject> {
  const o = resolved(options);
  const texts = readEvalTexts(o);
  const requested = o.backend ?? 'auto';
  const source = checkpointSource(o);
  checkMemory(o, settings.available);
  const checkpoint = loadCheckpoint(o.checkpoint);
  if (checkpoint.tokenizerFile === null) {
    throw new RegionsOptionsError(source, `${o.checkpoint} has no tokenizer.json: the matchers need one to turn texts into tokens`);
  }
  const { config } = checkpoint;
  const tokenizer = loadTokenizer(checkpoint.tokenizerFile, { bosId: config.bosTokenId, eosId: config.eosTokenId });
  if (tokenizer.bosId === null) throw new RegionsOptionsError(source, `${checkpoint.tokenizerFile} has no BOS token, and every window starts with one`);
  const hash = checkpointHash(o.checkpoint);
  const opened = await openForward(config, checkpoint.weights, requested, { threads: o.threads });
  if (opened.info.engine === 'tfjs') checkpoint.weights.clear(); // the tfjs model holds them now
  const regionDefaults = settings.regionDefaults ?? { core: PAPER_FRACTION, monolingual: PAPER_FRACTION };
  return new OpenedSubject(o, hash, config, opened.model, tokenizer, texts, regionDefaults, opened.info, opened.close);
}
