import { z } from 'zod';

const specialItemSchema = z.object({ SpecialToken: z.object({ id: z.string() }) });
const sequenceItemSchema = z.object({ Sequence: z.object({ id: z.string() }) });

const templateSchema = z
  .object({
    type: z.literal('TemplateProcessing'),
    single: z.array(z.union([specialItemSchema, sequenceItemSchema])),
    special_tokens: z.record(z.string(), z.object({ ids: z.array(z.number().int().nonnegative()) })).optional(),
  })
  .passthrough();

const sequenceSchema = z.object({ type: z.literal('Sequence'), processors: z.array(z.unknown()) }).passthrough();

/** A special token a post-processor template puts around a sequence: its name and, when listed, its ids. */
export interface TemplateToken {
  /** The token text, as the template names it (e.g. `<s>`, `<|begin_of_text|>`). */
  token: string;
  /** The ids `special_tokens` maps it to (usually one), or null when the template does not list them. */
  ids: number[] | null;
}

/** The special tokens a tokenizer.json post-processor adds to a single sequence. */
export interface TemplateSpecials {
  /** The special token before the sequence (`single[0]`), or null when the template adds none. */
  bos: TemplateToken | null;
  /** The special token after the sequence (the last item of `single`, after `$A`), or null. */
  eos: TemplateToken | null;
}

function findTemplate(processor: unknown): z.infer<typeof templateSchema> | null {
  const template = templateSchema.safeParse(processor);
  if (template.success) return template.data;
  const sequence = sequenceSchema.safeParse(processor);
  if (!sequence.success) return null;
  for (const inner of sequence.data.processors) {
    const found = findTemplate(inner);
    if (found !== null) return found;
  }
  return null;
}

/**
 * The special tokens the `post_processor` of a tokenizer.json adds around a single sequence, read from a
 * TemplateProcessing (directly, or inside a Sequence of processors, as LLaMA-3 writes it). Any other
 * post-processor (ByteLevel, none) adds none. The tokenizers library has already validated the JSON.
 */
export function templateSpecials(tokenizerJson: unknown): TemplateSpecials {
  const none: TemplateSpecials = { bos: null, eos: null };
  if (typeof tokenizerJson !== 'object' || tokenizerJson === null) return none;
  const template = findTemplate((tokenizerJson as { post_processor?: unknown }).post_processor);
  if (template === null) return none;
  const single = template.single;
  const special = (item: (typeof single)[number] | undefined): TemplateToken | null => {
    if (item === undefined || !('SpecialToken' in item)) return null;
    const token = item.SpecialToken.id;
    return { token, ids: template.special_tokens?.[token]?.ids ?? null };
  };
  const sequenceAt = single.findIndex((item) => 'Sequence' in item);
  const last = single.length - 1;
  return {
    bos: sequenceAt > 0 ? special(single[0]) : null,
    eos: sequenceAt >= 0 && last > sequenceAt ? special(single[last]) : null,
  };
}
