/**
 * Time of importance over 100k tokens on a model of the fixture's size (d_model 128, 4 layers, ffn 344,
 * vocab 258; random weights), or of a generated checkpoint of any shape (--checkpoint), uncached and then cached.
 *
 *   npx tsx scripts/bench-importance.ts [--tokens 100000] [--threads 2] [--backend ort-cpu] [--seq-len 128] [--checkpoint DIR]
 *
 * The text is seeded pseudo-words (byte-level tokenizer: one token per byte). "uncached" includes
 * loading the checkpoint and starting the engine; "cached" is the whole second call (tokenizing, hashing
 * the checkpoint and the windows, reading and validating the cache file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { expectedWeightShapes, readModelConfig } from '../src/checkpoint/config.js';
import { checkpointHash } from '../src/checkpoint/hash.js';
import { generateCheckpoint } from '../src/checkpoint/generate.js';
import { loadCheckpoint } from '../src/checkpoint/load.js';
import { cachedImportance } from '../src/importance/cache.js';
import { openForward, plannedEngine, resolveEngineName, type OpenedForward } from '../src/engine/select.js';
import { loadTokenizer } from '../src/tokenizer/tokenizer.js';
import { mulberry32 } from '../src/util/random.js';
import { FIXTURE_SETTINGS } from './fixture/settings.js';

const { values: args } = parseArgs({
  options: {
    tokens: { type: 'string', default: '100000' },
    threads: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'ort-cpu' },
    checkpoint: { type: 'string' },
    'seq-len': { type: 'string', default: '128' },
  },
});
const maxTokens = Number(args.tokens);
const seqLen = Number(args['seq-len']);
const threads = Number(args.threads);

const tmp = mkdtempSync(join(tmpdir(), 'bench-importance-'));
const dir = args.checkpoint ?? join(tmp, 'ckpt');
const config =
  args.checkpoint === undefined
    ? generateCheckpoint(dir, { seed: 1, tokenizer: 'bytes', config: { ...FIXTURE_SETTINGS.config } }).config
    : readModelConfig(join(dir, 'config.json'));
const tokenizer = loadTokenizer(join(dir, 'tokenizer.json'), { bosId: config.bosTokenId, eosId: config.eosTokenId });
const rng = mulberry32(7);
const word = (): string => Array.from({ length: 2 + Math.floor(rng() * 8) }, () => String.fromCharCode(97 + Math.floor(rng() * 26))).join('');
const lines: string[] = [];
for (let n = 0; n < maxTokens * 1.1; ) {
  const line = Array.from({ length: 12 }, word).join(' ');
  lines.push(line);
  n += line.length + 1;
}
const text = lines.join('\n');

const cacheDir = join(tmp, 'cache');
let opened: OpenedForward | undefined;
const engine = {
  shapes: expectedWeightShapes(config),
  engine: await plannedEngine(resolveEngineName(args.backend), threads),
  start: async () => {
    const ckpt = loadCheckpoint(dir);
    opened = await openForward(ckpt.config, ckpt.weights, args.backend, { threads });
    return opened.model;
  },
};

async function timed(label: string): Promise<void> {
  const t0 = performance.now();
  const r = await cachedImportance(engine, { language: 'xx', checkpointHash: checkpointHash(dir), text, tokenizer }, { maxTokens, seqLen, cacheDir });
  const s = (performance.now() - t0) / 1000;
  const p = r.map.provenance;
  console.log(
    `${label.padEnd(9)} ${s.toFixed(2).padStart(8)} s  source=${r.source}  ${p.windows} windows, ${p.tokens} tokens` +
      (r.source === 'computed' ? `, ${(Number(p.tokens) / s).toFixed(0)} tokens/s, ${p.backend}` : ''),
  );
}

const parameters = [...expectedWeightShapes(config).values()].reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
console.log(`importance bench: ${parameters} parameters, ${maxTokens} tokens, windows of ${seqLen}, ${threads} threads, backend ${args.backend}`);
try {
  await timed('uncached');
  await timed('cached');
} finally {
  await opened?.close();
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 2 ** 20).toFixed(2)} GiB`);
  rmSync(tmp, { recursive: true, force: true });
}
