/**
 * The byte-level tokenizer of the fixture model, as a HuggingFace tokenizer.json: token id = UTF-8 byte
 * value (0–255), then `<s>` (256, BOS) and `</s>` (257, EOS). It is a BPE with no merges behind HF's
 * ByteLevel pre-tokenizer, so it loads through the same @huggingface/tokenizers path as any real
 * checkpoint's tokenizer. Every language costs exactly one token per byte, so perplexities per token
 * compare across languages as bits per byte.
 */
export const BYTE_LEVEL_BOS = 256;
export const BYTE_LEVEL_EOS = 257;
export const BYTE_LEVEL_VOCAB_SIZE = 258;

/** GPT-2's reversible byte → printable-character map (the one HF's ByteLevel pre-tokenizer uses). */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const map: string[] = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    map[b] = printable.includes(b) ? String.fromCodePoint(b) : String.fromCodePoint(256 + extra++);
  }
  return map;
}

/** The tokenizer.json object (serialise with JSON.stringify). */
export function byteLevelTokenizerJson(): Record<string, unknown> {
  const chars = bytesToUnicode();
  const vocab: Record<string, number> = {};
  chars.forEach((c, b) => (vocab[c] = b));
  vocab['<s>'] = BYTE_LEVEL_BOS;
  vocab['</s>'] = BYTE_LEVEL_EOS;
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(BYTE_LEVEL_BOS, '<s>'), special(BYTE_LEVEL_EOS, '</s>')],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
}
