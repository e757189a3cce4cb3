import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { CheckpointError } from '../checkpoint/errors.js';

/** A loaded tokenizer: text ↔ ids, plus the BOS/EOS ids the model was trained with. */
export interface TextTokenizer {
  /** ids of the text, without special tokens. */
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  bosId: number | null;
  eosId: number | null;
  /** Number of distinct ids (vocabulary plus added tokens). */
  size: number;
  file: string;
}

const BOS_NAMES = ['<s>', '<|begin_of_text|>', '<bos>', '<|endoftext|>'];
const EOS_NAMES = ['</s>', '<|end_of_text|>', '<eos>', '<|endoftext|>', '<|im_end|>'];

/**
 * Loads a HuggingFace tokenizer.json (and tokenizer_config.json beside it, when present) with
 * @huggingface/tokenizers. `bosId`/`eosId` fall back to the config's ids when given.
 */
export function loadTokenizer(file: string, ids: { bosId?: number | null; eosId?: number | null } = {}): TextTokenizer {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CheckpointError(file, `cannot read tokenizer (${(err as Error).message})`);
  }
  let config: unknown = {};
  try {
    config = JSON.parse(readFileSync(file.replace(/tokenizer\.json$/, 'tokenizer_config.json'), 'utf8'));
  } catch {
    // tokenizer_config.json is optional
  }
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json as object, config as object);
  } catch (err) {
    throw new CheckpointError(file, `not a tokenizer the HuggingFace tokenizers library can load (${(err as Error).message})`);
  }
  const vocab = tok.get_vocab(true);
  const find = (names: string[]) => names.map((n) => vocab.get(n)).find((id) => id !== undefined) ?? null;
  let size = 0;
  for (const id of vocab.values()) size = Math.max(size, id + 1);
  return {
    encode: (text) => tok.encode(text, { add_special_tokens: false }).ids,
    decode: (tokenIds) => tok.decode([...tokenIds], { skip_special_tokens: false }),
    bosId: ids.bosId ?? find(BOS_NAMES),
    eosId: ids.eosId ?? find(EOS_NAMES),
    size,
    file,
  };
}
