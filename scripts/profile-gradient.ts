/**
 * Where a gradient pass spends its time at real size: ONNX Runtime's profiler over importance's gradient graph on a
 * real-shape checkpoint (scripts/real-shapes.ts), totals by op type and by the model part a node belongs to, and the
 * share of the pass spent in matrix products against their own rate (docs/performance.md, "Forward+backward at real
 * size"). Runs `--passes` passes after one warm-up on the graph importance uses (all gradients, sum of window means).
 *
 *   npx tsx scripts/profile-gradient.ts [--batch 8] [--seq-len 128] [--passes 3] [--threads 2] smollm2-135m
 */
import { readFileSync, rmSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadCheckpoint } from '../src/checkpoint/load.js';
import { buildGraph } from '../src/engine/onnx/ort-model.js';
import { matmulFlopsPerToken, measureMatmulRate } from '../src/engine/cost.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const batch = Number(arg('--batch', '8'));
const seq = Number(arg('--seq-len', '128'));
const passes = Number(arg('--passes', '3'));
const threads = Number(arg('--threads', '2'));
const name = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--')) ?? 'smollm2-135m';

const ckpt = loadCheckpoint(join(import.meta.dirname, '..', '.cache/shapes', name));
const shapes = new Map([...ckpt.weights].map(([n, t]) => [n, t.shape]));
const g = buildGraph(ckpt.config, shapes, batch, seq, 'grads-sum-of-window-means');
const dir = mkdtempSync(join(tmpdir(), 'profile-'));
const session = await ort.InferenceSession.create(g.toBytes('profile'), {
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  enableCpuMemArena: false,
  enableProfiling: true,
  profileFilePrefix: join(dir, 'gradient'),
  extra: { session: { intra_op: { allow_spinning: '0' } } },
});
const feeds: Record<string, ort.Tensor> = {
  ids: new ort.Tensor('int32', Int32Array.from({ length: batch * seq }, (_, i) => (i * 7919) % ckpt.config.vocabSize), [batch, seq]),
};
for (const input of g.inputs) if (input.name !== 'ids') feeds[input.name] = new ort.Tensor('float32', ckpt.weights.get(input.name)!.data, ckpt.weights.get(input.name)!.shape);
const walls: number[] = [];
for (let p = 0; p <= passes; p++) {
  const t0 = performance.now();
  const out = await session.run(feeds);
  walls.push(performance.now() - t0);
  for (const t of Object.values(out)) t.dispose();
}
session.endProfiling();
await session.release();
const file = readdirSync(dir).find((f) => f.endsWith('.json'))!;
const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string } }[];
rmSync(dir, { recursive: true, force: true });

// Node events of the timed passes (the first, warm-up pass excluded): every run's nodes in order, so drop the first run's share.
const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
const perRun = nodes.length / (passes + 1);
const timed = nodes.slice(perRun);
const byOp = new Map<string, number>();
for (const e of timed) byOp.set(e.args?.op_name ?? '?', (byOp.get(e.args?.op_name ?? '?') ?? 0) + e.dur);
const total = [...byOp.values()].reduce((a, b) => a + b, 0);
const wall = walls.slice(1).reduce((a, b) => a + b, 0);
const tokens = batch * seq;
const matmulFlops = 3 * matmulFlopsPerToken(ckpt.config) * tokens;
const matmulUs = ['MatMul', 'Gemm', 'FusedMatMul', 'FusedGemm'].reduce((n, op) => n + (byOp.get(op) ?? 0), 0) / passes;
console.log(`${name}: ${passes} gradient passes of ${batch} × ${seq} tokens on ${threads} threads; wall ${(wall / passes).toFixed(0)} ms a pass, kernels ${(total / passes / 1000).toFixed(0)} ms`);
console.log(`weights' matrix products (forward + backward): ${(matmulFlops / 1e9).toFixed(1)} GFLOP a pass; ${(matmulFlops / (wall / passes) / 1e6).toFixed(0)} GFLOP/s of wall time; MatMul/Gemm kernels ${(matmulUs / 1000).toFixed(0)} ms a pass`);
const rate = await measureMatmulRate({ threads });
const achieved = matmulFlops / (wall / passes) / 1e6;
console.log(
  `this machine's float32 MatMul limit, measured after the passes: ${rate.gflops.toFixed(0)} GFLOP/s (${rate.shape.join('×')}, ±${rate.rme.toFixed(1)}%); ` +
    `the pass reaches ${((100 * achieved) / rate.gflops).toFixed(0)}% of it; the MatMul/Gemm kernels alone run at ${(matmulFlops / matmulUs / 1e3).toFixed(0)} GFLOP/s`,
);
for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${op.padEnd(22)} ${(us / passes / 1000).toFixed(1).padStart(8)} ms  ${((100 * us) / total).toFixed(1).padStart(5)}%`);
