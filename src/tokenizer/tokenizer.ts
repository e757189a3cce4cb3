import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { CheckpointError } from '../checkpoint/errors.js';
import { templateSpecials } from './post-processor.js';
import { catastrophicPart, tokenizerPatterns } from './regex-safety.js';
import { resolveSpecialTokens } from './special-tokens.js';
import { readTokenizerConfig } from './tokenizer-config.js';

/** A loaded tokenizer: text ↔ ids, plus the BOS/EOS ids the model was trained with. */
export interface TextTokenizer {
  /** ids of the text, without special tokens. */
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** The BOS id (see {@link loadTokenizer} for where it comes from), or null when the tokenizer has none. */
  bosId: number | null;
  /** The EOS id (see {@link loadTokenizer}), or null when none is known. */
  eosId: number | null;
  /**
   * Whether the tokenizer itself puts BOS before a text when asked for special tokens:
   * tokenizer_config.json's `add_bos_token` when it is a boolean, else whether tokenizer.json's
   * post-processor template starts with a special token. {@link TextTokenizer.encode} never adds it.
   */
  addsBos: boolean;
  /** Number of distinct ids (vocabulary plus added tokens). */
  size: number;
  file: string;
}

/**
 * Loads a HuggingFace tokenizer.json (and tokenizer_config.json beside it, when present) with
 * @huggingface/tokenizers.
 *
 * BOS and EOS each come from the first source that speaks: the caller's `bosId` / `eosId` (config.json's
 * ids; `null` means "not given", not "no BOS"); tokenizer_config.json's `bos_token` / `eos_token`
 * (`null` there, or `add_bos_token: false` with no `bos_token`, means no BOS); the post-processor
 * template; last, the usual names, among special added tokens only. The full rule is
 * {@link resolveSpecialTokens}.
 * @throws CheckpointError naming the file (and field): an unreadable tokenizer or config, a pattern that
 * backtracks catastrophically (./regex-safety.ts), an id that is not the tokenizer's, or a token
 * tokenizer_config.json names that the tokenizer lacks.
 */
export function loadTokenizer(file: string, ids: { bosId?: number | null; eosId?: number | null } = {}): TextTokenizer {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CheckpointError(file, `cannot read tokenizer (${(err as Error).message})`);
  }
  for (const { field, pattern } of tokenizerPatterns(json)) {
    const found = catastrophicPart(pattern);
    if (found === null) continue;
    throw new CheckpointError(
      file,
      `the pattern ${JSON.stringify(pattern)} ${found.problem} (${JSON.stringify(found.part)}): a backtracking regex engine ` +
        'can take exponential time on a string it almost matches, and tokenization would hang (no test timeout can ' +
        'interrupt it). Rewrite it so each repetition can match a string in only one way (e.g. "(x+)+" as "x+").',
      field,
    );
  }
  const config = readTokenizerConfig(join(dirname(file), 'tokenizer_config.json'));
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json as object, config?.raw ?? {});
  } catch (err) {
    throw new CheckpointError(file, `not a tokenizer the HuggingFace tokenizers library can load (${(err as Error).message})`);
  }
  const vocab = tok.get_vocab(true);
  let size = 0;
  for (const id of vocab.values()) size = Math.max(size, id + 1);
  const specialTokens = new Map<string, number>();
  for (const [id, added] of tok.get_added_tokens_decoder()) if (added.special) specialTokens.set(added.content, id);
  const { bosId, eosId, addsBos } = resolveSpecialTokens({
    tokenizerFile: file,
    explicit: ids,
    config,
    template: templateSpecials(json),
    tokenToId: (token) => vocab.get(token),
    hasId: (id) => tok.id_to_token(id) !== undefined,
    specialTokens,
  });
  return {
    encode: (text) => tok.encode(text, { add_special_tokens: false }).ids,
    decode: (tokenIds) => tok.decode([...tokenIds], { skip_special_tokens: false }),
    bosId,
    eosId,
    addsBos,
    size,
    file,
  };
}
