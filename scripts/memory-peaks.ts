/**
 * Peak memory of the CLI's jobs at real size, against what the memory model (src/engine/memory.ts) predicts:
 * `regions ppl` (forward passes) and `regions importance` (gradient passes) on the real-shape checkpoints that
 * scripts/real-shapes.ts generates, each under GNU time (its %M: the peak resident set). Prints one JSON line per
 * run; docs/performance.md and test/engine/memory-peaks.json keep what was measured.
 *
 *   npx tsx scripts/memory-peaks.ts [--batch 8] [--seq-len 128] [--jobs ppl,importance] smollm2-135m qwen3-0.6b …
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelConfig } from '../src/checkpoint/config.js';
import { estimateMemory, type MemoryJob } from '../src/engine/memory.js';

const ROOT = join(import.meta.dirname, '..');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const batch = Number(arg('--batch', '8'));
const seqLen = Number(arg('--seq-len', '128'));
const jobs = arg('--jobs', 'ppl,importance').split(',');
const names = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const GiB = 2 ** 30;

for (const name of names) {
  const dir = join(ROOT, '.cache/shapes', name);
  const config = readModelConfig(join(dir, 'config.json'));
  for (const kind of jobs) {
    const out = mkdtempSync(join(tmpdir(), 'peaks-'));
    const common = ['--checkpoint', dir, '--texts', join(ROOT, 'fixtures/corpora/train'), '--languages', 'en', '--max-tokens', String(batch * (seqLen - 1)), '--seq-len', String(seqLen), '--batch-size', String(batch)];
    const args = kind === 'ppl' ? ['ppl', ...common, '--json'] : ['importance', ...common, '--no-cache', '--out', join(out, 'en.safetensors'), '--json'];
    const t0 = Date.now();
    const run = spawnSync('/usr/bin/time', ['-f', '%M', 'node', join(ROOT, 'bin/regions.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const seconds = (Date.now() - t0) / 1000;
    rmSync(out, { recursive: true, force: true });
    const peak = (Number(run.stderr.trim().split('\n').at(-1)) * 1024) / GiB;
    const job: MemoryJob = kind === 'ppl' ? { kind: 'forward', engine: 'onnxruntime', batch, seqLen } : { kind: 'importance', engine: 'onnxruntime', batch, seqLen, maps: 0 };
    const predicted = estimateMemory(config, job).total / GiB;
    console.log(
      JSON.stringify({
        shape: name,
        job: kind,
        batch,
        seqLen,
        exit: run.status,
        seconds: +seconds.toFixed(1),
        peakGiB: +peak.toFixed(2),
        predictedGiB: +predicted.toFixed(2),
        error: +((predicted - peak) / peak).toFixed(3),
        ...(run.status !== 0 && { stderr: run.stderr.slice(-400) }),
      }),
    );
  }
}
