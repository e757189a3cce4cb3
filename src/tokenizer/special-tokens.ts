import { CheckpointError } from '../checkpoint/errors.js';
import type { TemplateSpecials, TemplateToken } from './post-processor.js';
import type { TokenizerConfigSpecials } from './tokenizer-config.js';

/** Names tried, in order, as a last resort — only among the tokenizer's special added tokens. */
export const BOS_NAMES: readonly string[] = ['<s>', '<|begin_of_text|>', '<bos>', '<|endoftext|>'];
/** Names tried, in order, as a last resort — only among the tokenizer's special added tokens. */
export const EOS_NAMES: readonly string[] = ['</s>', '<|end_of_text|>', '<eos>', '<|endoftext|>', '<|im_end|>'];

/** Everything {@link resolveSpecialTokens} decides from. */
export interface SpecialTokenSources {
  /** The tokenizer.json path, for error messages. */
  tokenizerFile: string;
  /** The caller's ids (config.json's bos_token_id / eos_token_id); null or absent means "not given". */
  explicit: { bosId?: number | null; eosId?: number | null };
  /** tokenizer_config.json beside tokenizer.json, or null when there is none. */
  config: TokenizerConfigSpecials | null;
  /** What tokenizer.json's post-processor adds around a single sequence. */
  template: TemplateSpecials;
  /** Token text → id over the whole tokenizer (vocabulary and added tokens). */
  tokenToId(token: string): number | undefined;
  /** Whether an id is one of the tokenizer's. */
  hasId(id: number): boolean;
  /** The added tokens marked `special: true`, token text → id. */
  specialTokens: ReadonlyMap<string, number>;
}

/** The BOS/EOS a tokenizer was trained with, and whether it adds the BOS itself. */
export interface ResolvedSpecialTokens {
  bosId: number | null;
  eosId: number | null;
  addsBos: boolean;
}

type Role = 'bos' | 'eos';

function explicitId(s: SpecialTokenSources, role: Role, id: number): number {
  const field = `${role}_token_id`;
  if (!Number.isInteger(id) || id < 0 || !s.hasId(id)) {
    throw new CheckpointError(
      s.tokenizerFile,
      `the ${role.toUpperCase()} id ${id} given for it (config.json's ${field}) is not an id of this tokenizer`,
      field,
    );
  }
  return id;
}

function configId(s: SpecialTokenSources, config: TokenizerConfigSpecials, role: Role, token: string): number {
  const id = s.tokenToId(token);
  if (id === undefined) {
    throw new CheckpointError(config.file, `names ${JSON.stringify(token)}, which is not a token of ${s.tokenizerFile}`, `${role}_token`);
  }
  return id;
}

function templateId(s: SpecialTokenSources, role: Role, t: TemplateToken): number {
  const ids = t.ids ?? [s.tokenToId(t.token)];
  const id = ids[0];
  if (ids.length !== 1 || id === undefined || !s.hasId(id)) {
    throw new CheckpointError(
      s.tokenizerFile,
      `the template's ${role.toUpperCase()} ${JSON.stringify(t.token)} must map to exactly one id of this tokenizer (got ${JSON.stringify(t.ids ?? [])})`,
      'post_processor',
    );
  }
  return id;
}

function resolve(s: SpecialTokenSources, role: Role): number | null {
  const given = role === 'bos' ? s.explicit.bosId : s.explicit.eosId;
  if (given !== undefined && given !== null) return explicitId(s, role, given);
  const config = s.config;
  const named = config === null ? undefined : role === 'bos' ? config.bosToken : config.eosToken;
  if (config !== null && named !== undefined) return named === null ? null : configId(s, config, role, named);
  if (role === 'bos' && config?.addBosToken === false) return null;
  const t = role === 'bos' ? s.template.bos : s.template.eos;
  if (t !== null) return templateId(s, role, t);
  for (const name of role === 'bos' ? BOS_NAMES : EOS_NAMES) {
    const id = s.specialTokens.get(name);
    if (id !== undefined) return id;
  }
  return null;
}

/**
 * Decides BOS and EOS, each from the first of these that speaks:
 *
 * 1. the caller's `bosId` / `eosId` (config.json's `bos_token_id` / `eos_token_id`), when a number — it
 *    must be an id of the tokenizer. `null` or absent is "not given", not "no BOS": config.json writes
 *    null for tokenizers that do have one, so the decision passes to the tokenizer's own files;
 * 2. tokenizer_config.json: `bos_token` / `eos_token` name the token (it must be in the tokenizer);
 *    `null` there means there is none. For BOS, `add_bos_token: false` with no `bos_token` key also
 *    means none (the tokenizer neither names nor adds one);
 * 3. tokenizer.json's post-processor: the special token a TemplateProcessing `single` template puts
 *    before (BOS) or after (EOS) the sequence;
 * 4. last, the first of {@link BOS_NAMES} / {@link EOS_NAMES} that is a special added token — never an
 *    ordinary vocabulary entry that happens to spell `<s>` (Qwen's BPE has those).
 *
 * Otherwise the id is null. `addsBos` is tokenizer_config.json's `add_bos_token` when it is a boolean,
 * else whether the post-processor template starts with a special token.
 * @throws CheckpointError naming the file and field: an id that is not the tokenizer's, a named token that
 * is not in it, a template token without exactly one id, or `add_bos_token: true` with no BOS found.
 */
export function resolveSpecialTokens(s: SpecialTokenSources): ResolvedSpecialTokens {
  const bosId = resolve(s, 'bos');
  const eosId = resolve(s, 'eos');
  const addsBos = s.config?.addBosToken ?? s.template.bos !== null;
  if (addsBos && bosId === null) {
    // Only tokenizer_config.json can leave a BOS out while the tokenizer adds one (steps 2 and 3 above).
    const file = s.config?.file ?? s.tokenizerFile;
    if (s.config?.addBosToken === true) throw new CheckpointError(file, 'is true, but no BOS token is named or found', 'add_bos_token');
    throw new CheckpointError(file, `is null, but ${s.tokenizerFile}'s post-processor adds ${JSON.stringify(s.template.bos?.token)}`, 'bos_token');
  }
  return { bosId, eosId, addsBos };
}
