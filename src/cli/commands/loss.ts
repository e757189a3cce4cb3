import { batchWindows } from '../../corpus/windows.js';
import { defineCommand, option, withDefault } from '../args.js';
import { checkpointOption, engineOption, threadsOption, peekConfig, setupLine, withForwardModel } from '../open-model.js';
import { withProgress } from '../progress.js';
import { readWindowsFile } from '../windows-file.js';

/** `regions loss`: mean next-token NLL of a checkpoint on token windows given as JSON. */
export const lossCommand = defineCommand({
  name: 'loss',
  summary: 'mean next-token loss on token windows from a JSON file',
  description:
    'Mean next-token NLL (nats) and perplexity of the checkpoint on the token windows of --windows, a JSON ' +
    'list of lists of token ids such as [[1, 5, 9], [1, 7]]. Each window is scored on its own (its first ' +
    'token is context only); windows may differ in length. The mean is over every predicted token of every ' +
    'window, as HF computes the loss with labels = ids.',
  options: {
    checkpoint: checkpointOption,
    windows: option.path('file', 'JSON list of token-id windows, each at least 2 ids long'),
    batchSize: withDefault(option.count('N', 'windows per forward pass; only windows of equal length share one', 1), 8),
    backend: engineOption,
    threads: threadsOption,
    json: option.flag('print JSON instead of text'),
  },
  async run(values, io) {
    const windows = readWindowsFile(values.windows, peekConfig(values.checkpoint).vocabSize);
    await withForwardModel(values, io, async (opened) => {
      let nllSum = 0;
      let tokens = 0;
      await withProgress(io.stderr, 'scoring windows', 'windows', async (update) => {
        let done = 0;
        for (const batch of batchWindows(windows, values.batchSize)) {
          for (const w of await opened.model.windowNll(batch)) {
            nllSum += w.nllSum;
            tokens += w.tokens;
          }
          done += batch.length;
          update(done, windows.length);
        }
      });
      const meanNll = nllSum / tokens;
      const ppl = Math.exp(meanNll);
      if (values.json) {
        const backend = { name: opened.backend.name, device: opened.backend.device };
        const json = { backend, windows: windows.length, tokens_predicted: tokens, mean_nll: meanNll, ppl };
        io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      } else {
        io.stdout.write(
          `${setupLine('loss', opened)}\n${windows.length} windows, ${tokens} tokens predicted: ` +
            `mean NLL ${meanNll.toFixed(4)} nats, ppl ${ppl.toFixed(2)}\n`,
        );
      }
    });
  },
});
