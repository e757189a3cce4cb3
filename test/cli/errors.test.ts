import { cpSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeFixture, runCli, type CliFixture } from './helpers.js';

let fx: CliFixture;
/** A copy of the checkpoint whose config.json has a bad vocab_size. */
let badConfig: string;
/** A copy of the checkpoint without tokenizer.json. */
let noTokenizer: string;
beforeAll(() => {
  fx = makeFixture();
  badConfig = join(fx.root, 'bad-config');
  cpSync(fx.checkpoint, badConfig, { recursive: true });
  writeFileSync(join(badConfig, 'config.json'), JSON.stringify({ model_type: 'llama', vocab_size: 'many' }));
  noTokenizer = join(fx.root, 'no-tokenizer');
  cpSync(fx.checkpoint, noTokenizer, { recursive: true });
  rmSync(join(noTokenizer, 'tokenizer.json'));
});
afterAll(() => fx.remove());
afterEach(() => vi.unstubAllEnvs());

/** Paths the table below names by placeholder, made once the fixture exists. */
let paths: Record<string, string>;
beforeAll(() => {
  paths = {
    CKPT: fx.checkpoint,
    TEXTS: fx.texts,
    BAD_CONFIG: badConfig,
    NO_TOKENIZER: noTokenizer,
    MISSING: join(fx.root, 'does-not-exist'),
    SHORT_WINDOW: fx.file('short.json', '[[256, 1, 2], [256]]'),
    FRACTION_ID: fx.file('fraction.json', '[[256, 1], [256, 2, 2.5]]'),
    BIG_ID: fx.file('big.json', '[[256, 1], [256, 999]]'),
    NOT_A_LIST: fx.file('object.json', '{"windows": [[1, 2]]}'),
    NOT_JSON: fx.file('broken.json', '[[1, 2'),
  };
});
const fill = (args: string[]): string[] => args.map((a) => paths[a] ?? a);

const ppl = ['ppl', '--checkpoint', 'CKPT', '--texts', 'TEXTS', '--backend', 'cpu'];
const loss = (file: string) => ['loss', '--checkpoint', 'CKPT', '--windows', file, '--backend', 'cpu'];

/** Exit 2: what was typed is wrong (checked before any loading); 1: a file's content, or the run itself. */
const CASES: { what: string; args: string[]; code: number; message: RegExp }[] = [
  { what: 'unknown command', args: ['frobnicate'], code: 2, message: /^regions: unknown command "frobnicate" \(commands: init, plan, ppl, loss, logits[,)]/ },
  { what: 'option before the command', args: ['--checkpoint', 'CKPT'], code: 2, message: /^regions: unknown option --checkpoint \(options go after the command\)$/ },
  { what: 'unknown option', args: [...ppl, '--frob'], code: 2, message: /^regions: unknown option --frob$/ },
  { what: 'stray positional', args: [...ppl, 'en'], code: 2, message: /^regions: unexpected argument "en"/ },
  { what: 'missing --texts', args: ['ppl', '--checkpoint', 'CKPT'], code: 2, message: /^regions: --texts DIR is required$/ },
  { what: 'missing --checkpoint', args: ['loss', '--windows', 'SHORT_WINDOW'], code: 2, message: /^regions: --checkpoint DIR is required$/ },
  { what: 'option without its value', args: [...ppl, '--seq-len'], code: 2, message: /^regions: --seq-len needs a value/ },
  { what: 'non-integer --seq-len', args: [...ppl, '--seq-len', '1.5'], code: 2, message: /^regions: --seq-len must be a whole number \(got "1\.5"\)$/ },
  { what: '--seq-len below 2', args: [...ppl, '--seq-len', '1'], code: 2, message: /^regions: --seq-len must be at least 2 \(got "1"\)$/ },
  { what: '--seq-len beyond the model', args: [...ppl, '--seq-len', '4096'], code: 2, message: /^regions: --seq-len 4096 exceeds the model's max_position_embeddings \(128\)$/ },
  { what: 'a value for a flag', args: [...ppl, '--json=yes'], code: 2, message: /^regions: --json takes no value$/ },
  { what: 'an option given twice', args: [...ppl, '--backend', 'wasm'], code: 2, message: /^regions: --backend is given twice \(a list is comma-separated: --backend a,b\)$/ },
  { what: 'unknown backend', args: ['ppl', '--checkpoint', 'CKPT', '--texts', 'TEXTS', '--backend', 'gpu'], code: 2, message: /^regions: --backend must be one of auto, ort, ort-cpu, ort-webgpu, ort-cuda, tensorflow, wasm, cpu, webgpu \(got "gpu"\)$/ },
  { what: 'check-report without a report', args: ['check-report', '--html', 'MISSING'], code: 2, message: /^regions: --html .*does-not-exist: no such report \(run the specs first/ },
  { what: 'checkpoint folder missing', args: ['ppl', '--checkpoint', 'MISSING', '--texts', 'TEXTS'], code: 2, message: /^regions: --checkpoint must name an existing folder \(got ".*does-not-exist"\)$/ },
  { what: 'checkpoint is a file', args: ['ppl', '--checkpoint', 'SHORT_WINDOW', '--texts', 'TEXTS'], code: 2, message: /^regions: --checkpoint must name a folder \(got ".*short\.json"\)$/ },
  { what: 'language not in the texts folder', args: [...ppl, '--languages', 'en,fr'], code: 2, message: /^regions: --languages: .*texts has no fr\.txt \(it has: de, en, zh\)$/ },
  { what: 'malformed --languages', args: [...ppl, '--languages', 'en,,zh'], code: 2, message: /^regions: --languages must be a comma-separated list of language codes like en,zh \(\"\" is not one\)/ },
  { what: 'non-integer --ids', args: ['logits', '--checkpoint', 'CKPT', '--ids', '1,x'], code: 2, message: /^regions: --ids must be a comma-separated list of token ids \("x" is not one\)/ },
  { what: '--ids outside the vocabulary', args: ['logits', '--checkpoint', 'CKPT', '--ids', '1,258'], code: 2, message: /^regions: --ids: token id 258 is outside the vocabulary \[0, 258\)$/ },
  { what: 'CheckpointError: bad config.json', args: ['ppl', '--checkpoint', 'BAD_CONFIG', '--texts', 'TEXTS'], code: 1, message: /^regions: .*bad-config\/config\.json \(vocab_size\): .*\(got "many"\)$/ },
  { what: 'CheckpointError: ppl without a tokenizer', args: ['ppl', '--checkpoint', 'NO_TOKENIZER', '--texts', 'TEXTS', '--backend', 'cpu'], code: 1, message: /^regions: .*no-tokenizer: no tokenizer\.json: ppl needs one/ },
  { what: 'window of one token', args: loss('SHORT_WINDOW'), code: 1, message: /^regions: .*short\.json: window 1: needs at least 2 tokens, as the first is context only \(it has 1\)$/ },
  { what: 'fractional token id', args: loss('FRACTION_ID'), code: 1, message: /^regions: .*fraction\.json: window 1, token 2: must be a whole number \(got 2\.5\)$/ },
  { what: 'token id outside the vocabulary', args: loss('BIG_ID'), code: 1, message: /^regions: .*big\.json: window 1, token 1: is outside the vocabulary \[0, 258\) \(got 999\)$/ },
  { what: 'windows file not a list', args: loss('NOT_A_LIST'), code: 1, message: /^regions: .*object\.json: expected a JSON list of windows/ },
  { what: 'windows file not JSON', args: loss('NOT_JSON'), code: 1, message: /^regions: .*broken\.json: not valid JSON/ },
];

describe('bad arguments', { timeout: 30_000 }, () => {
  it.each(CASES)('$what → exit $code', async ({ args, code, message }) => {
    const run = await runCli(fill(args));
    expect(run.stderr.split('\n')[0]).toMatch(message);
    expect(run.code).toBe(code);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace
  });

  it('usage errors show the command\'s usage line and where to find more', async () => {
    const run = await runCli(fill([...ppl, '--seq-len', 'many']));
    expect(run.stderr).toMatch(/^Usage: regions ppl --checkpoint DIR --texts DIR \[--languages LIST\]/m);
    expect(run.stderr).toMatch(/^\(more: regions ppl --help\)$/m);
  });

  it('runtime failures are one line, and REGIONS_DEBUG=1 adds the stack trace', async () => {
    const args = fill(['ppl', '--checkpoint', 'BAD_CONFIG', '--texts', 'TEXTS']);
    const plain = await runCli(args);
    expect(plain.stderr.trimEnd().split('\n')).toHaveLength(1);
    vi.stubEnv('REGIONS_DEBUG', '1');
    const debug = await runCli(args);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^CheckpointError: .*\n\s+at /m);
  });

  it('no arguments at all: the overview on stderr, exit 2', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Usage: regions <init\|plan\|ppl\|loss\|logits[|>].* \[options\]/);
  });
});
