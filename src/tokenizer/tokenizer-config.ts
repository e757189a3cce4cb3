import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CheckpointError } from '../checkpoint/errors.js';
import { firstIssue } from '../util/zod-issue.js';

/** A special token as tokenizer_config.json writes it: a string, or an AddedToken object with `content`. */
const tokenSchema = z.union([z.string(), z.object({ content: z.string() }).passthrough()], {
  error: 'expected a token string, an object with a "content" string, or null',
});

const tokenizerConfigSchema = z
  .object({
    bos_token: tokenSchema.nullable().optional(),
    eos_token: tokenSchema.nullable().optional(),
    add_bos_token: z.boolean({ error: 'expected true or false' }).nullable().optional(),
  })
  .passthrough();

/**
 * What tokenizer_config.json says about BOS and EOS. For each field, `undefined` means the file does not
 * say (the key is absent), `null` means it says there is none (`"bos_token": null`).
 */
export interface TokenizerConfigSpecials {
  /** The tokenizer_config.json path, for error messages. */
  file: string;
  /** `bos_token`'s token text (the `content` of an object form). */
  bosToken: string | null | undefined;
  /** `eos_token`'s token text (the `content` of an object form). */
  eosToken: string | null | undefined;
  /** `add_bos_token`; `undefined` when absent or null. */
  addBosToken: boolean | undefined;
  /** The parsed JSON object, as read (handed to the tokenizers library). */
  raw: Record<string, unknown>;
}

function tokenText(value: z.infer<typeof tokenSchema> | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  return typeof value === 'string' ? value : value.content;
}

/**
 * Reads and validates tokenizer_config.json. A missing file is not an error (returns null): the file
 * is optional. A file that is there but unreadable, not JSON, or has a `bos_token` / `eos_token` /
 * `add_bos_token` of the wrong type is a {@link CheckpointError} naming the file and the field.
 */
export function readTokenizerConfig(file: string): TokenizerConfigSpecials | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CheckpointError(file, `cannot read tokenizer config (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(file, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CheckpointError(file, 'expected a JSON object');
  }
  const parsed = tokenizerConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error, json);
    const field = issue.top ?? '(root)';
    const received = (json as Record<string, unknown>)[field];
    throw new CheckpointError(file, `${issue.message} (got ${JSON.stringify(received)})`, field);
  }
  const c = parsed.data;
  return {
    file,
    bosToken: tokenText(c.bos_token),
    eosToken: tokenText(c.eos_token),
    addBosToken: c.add_bos_token ?? undefined,
    raw: json as Record<string, unknown>,
  };
}
