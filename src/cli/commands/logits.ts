import { z } from 'zod';
import type { TextTokenizer } from '../../tokenizer/tokenizer.js';
import { defineCommand, option, UsageError } from '../args.js';
import { checkpointOption, engineOption, threadsOption, peekConfig, setupLine, withForwardModel } from '../open-model.js';
import { formatTable } from '../../util/table.js';

const TOP = 10;

/** Softmax probabilities of one row of logits (max subtracted first, so exp never overflows). */
function softmax(logits: Float32Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of logits) max = Math.max(max, x);
  const p = Float64Array.from(logits, (x) => Math.exp(x - max));
  const sum = p.reduce((a, b) => a + b, 0);
  return p.map((x) => x / sum);
}

function topTable(logits: Float32Array, tokenizer: TextTokenizer | null): string {
  const p = softmax(logits);
  const top = [...logits.keys()].sort((a, b) => logits[b]! - logits[a]! || a - b).slice(0, TOP);
  return formatTable(
    [
      { header: 'rank', align: 'right' },
      { header: 'id', align: 'right' },
      { header: 'logit', align: 'right' },
      { header: 'prob', align: 'right' },
      ...(tokenizer === null ? [] : [{ header: 'token', align: 'left' as const }]),
    ],
    top.map((id, rank) => [
      String(rank + 1),
      String(id),
      logits[id]!.toFixed(4),
      p[id]!.toFixed(4),
      ...(tokenizer === null ? [] : [JSON.stringify(tokenizer.decode([id]))]),
    ]),
  );
}

/** `regions logits`: the logits a checkpoint gives after one window of token ids. */
export const logitsCommand = defineCommand({
  name: 'logits',
  summary: 'logits at the last position of one window of token ids',
  description:
    'Logits (one per vocabulary id) the checkpoint predicts for the token after --ids, i.e. at the last ' +
    'position of that window. Prints the top 10 ids (decoded, when the checkpoint has a tokenizer), or with ' +
    '--json every logit.',
  options: {
    checkpoint: checkpointOption,
    ids: option.list('LIST', 'comma-separated token ids of the window, e.g. 1,2,3', z.string().regex(/^\d+$/).transform(Number), 'token ids'),
    backend: engineOption,
    threads: threadsOption,
    json: option.flag('print every logit as JSON instead of the top 10'),
  },
  async run(values, io) {
    const { vocabSize } = peekConfig(values.checkpoint);
    const outside = values.ids.find((id) => id >= vocabSize);
    if (outside !== undefined) throw new UsageError(`--ids: token id ${outside} is outside the vocabulary [0, ${vocabSize})`);
    await withForwardModel(values, io, async (opened) => {
      const position = values.ids.length - 1;
      const all = await opened.model.logits([values.ids]); // [1][seq][vocab]
      const logits = all.slice(position * vocabSize, (position + 1) * vocabSize);
      if (values.json) {
        const backend = { name: opened.backend.name, device: opened.backend.device };
        io.stdout.write(`${JSON.stringify({ backend, logits_last: Array.from(logits) })}\n`);
      } else {
        io.stdout.write(`${setupLine('logits', opened)}\nnext token after ${values.ids.length} ids:\n\n${topTable(logits, opened.tokenizer)}`);
      }
    });
  },
});
