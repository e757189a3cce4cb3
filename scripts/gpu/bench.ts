/**
 * The GPU benchmark, prepared for one call on a lent NVIDIA machine (docs/gpu.md; scripts/gpu/pack.sh bundles
 * it with Node, onnxruntime-node and the Vulkan loader). In order, each phase within its share of the time:
 *
 * 1. the machine: nvidia-smi (driver, GPU), the Vulkan ICDs (NVIDIA's?), the Vulkan device ONNX Runtime's WebGPU
 *    provider opens, whether its WebGPU and CUDA providers start (the error where not);
 * 2. correctness on a small seeded model: logits, loss and every gradient of the GPU provider against ort-cpu;
 * 3. per shape (Qwen2-0.5B, TinyLlama-1.1B: weights generated here from the seed): forward (windowNll) and
 *    forward+backward (lossAndGrads) tokens/s on the GPU provider and on ort-cpu, and the bytes each run moved.
 *
 * gpu.json is rewritten after every phase (with the phase running named in it), so a run killed at its time
 * limit still says how far it got. A summary goes to stdout.
 *
 *   npx tsx scripts/gpu/bench.ts [--tiny] [--budget-s 420] [--out gpu.json] [--shapes qwen2-0.5b,tinyllama-1.1b] [--providers webgpu,cpu]
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { expectedWeightShapes, parseModelConfig } from '../../src/checkpoint/config.js';
import { generatedRawConfig, generateWeights } from '../../src/checkpoint/generate.js';
import type { HostTensor } from '../../src/checkpoint/types.js';
import { OrtModel, type OrtProvider } from '../../src/engine/onnx/ort-model.js';
import { SHAPES } from '../shapes.js';
import { compareWithCpu, randomWindows, throughput, type Throughput } from './measure.js';
import { adapterFromLoaderLog, nvidiaSmi, probeInChild, smallModel, startProvider, vulkanFacts, type AdapterFacts, type ProviderStart } from './probe.js';

// Dawn reads XDG_RUNTIME_DIR when it starts (and prints errors without it): a private one where none is set.
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'regions-xdg-'));

const probe = option('--probe', '');
if (probe !== '') {
  // A child process of probeInChild: one probe, its JSON on the last line of stdout.
  console.log(JSON.stringify(await startProvider(probe as OrtProvider)));
  process.exit(0);
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const TINY = process.argv.includes('--tiny');
const SEED = 1;
/** Shapes of the same structure as the real ones (GQA, qwen2 biases and tied embeddings, llama untied), for tests. */
const TINY_SHAPES: Record<string, Record<string, unknown>> = {
  'tiny-qwen2': { model_type: 'qwen2', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 128, vocab_size: 1000, tie_word_embeddings: true },
  'tiny-llama': { model_type: 'llama', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 176, vocab_size: 512 },
};
const shapeNames = option('--shapes', TINY ? Object.keys(TINY_SHAPES).join(',') : 'qwen2-0.5b,tinyllama-1.1b').split(',');
const [gpuProvider = 'webgpu', ...rest] = option('--providers', 'webgpu,cpu').split(',') as OrtProvider[];
const withCpu = gpuProvider === 'cpu' || rest.includes('cpu');
const providers: OrtProvider[] = gpuProvider === 'cpu' ? ['cpu'] : withCpu ? [gpuProvider, 'cpu'] : [gpuProvider];
const budgetSeconds = Number(option('--budget-s', TINY ? '120' : '420'));
const out = option('--out', join(process.env.OUT ?? '.', 'gpu.json'));

/**
 * Windows per run and the most seconds one phase repeats its runs for (it stops early when another run would
 * pass the phase's deadline; the first run always happens). The CPU runs are smaller: one batch is enough for
 * its rate, which barely depends on the batch.
 */
const RUNS = TINY
  ? { gpu: { forward: [2, 32], 'forward+backward': [2, 32] }, cpu: { forward: [2, 32], 'forward+backward': [2, 32] } }
  : { gpu: { forward: [8, 256], 'forward+backward': [4, 256] }, cpu: { forward: [2, 256], 'forward+backward': [1, 256] } };
const PHASE_SECONDS = TINY ? { forward: 5, 'forward+backward': 5 } : { forward: 30, 'forward+backward': 45 };
/** A phase starts only with this much of the budget left. */
const MIN_PHASE_SECONDS = TINY ? 1 : 20;
/** Generating weights: ~40 ns a parameter measured (one core of a Xeon); estimated at 60. */
const GENERATE_SECONDS_PER_PARAMETER = 60e-9;

/**
 * The issue's yardstick: ort-cpu on this project's 2-core machine (Intel Xeon, Sapphire Rapids class), tokens/s
 * measured by this script on 2026-12-07 (`--providers cpu`, the CPU batches below; TinyLlama's forward+backward
 * from its first run). The goal is ≥ 10× these on the GPU.
 */
const REFERENCE_CPU: Record<string, Record<Throughput['kind'], number>> = {
  'qwen2-0.5b': { forward: 241, 'forward+backward': 15.8 },
  'tinyllama-1.1b': { forward: 120, 'forward+backward': 10.3 },
};
const GOAL = 10;

const t0 = performance.now();
const deadline = t0 + budgetSeconds * 1000;
const left = () => (deadline - performance.now()) / 1000;

interface ShapeResult {
  shape: string;
  parameters: number;
  generateSeconds?: number;
  results: (Throughput & { provider: OrtProvider; threads: number | null })[];
}

const report = {
  started: new Date().toISOString(),
  finished: null as string | null,
  /** The phase in progress when this file was written (null once the run ended). */
  running: null as string | null,
  budgetSeconds,
  tiny: TINY,
  seed: SEED,
  host: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    onnxruntime: ort.env.versions.common,
    peakRssGiB: null as number | null,
  },
  driver: null as ReturnType<typeof nvidiaSmi> | null,
  vulkan: null as ReturnType<typeof vulkanFacts> | null,
  /** The Vulkan device the GPU provider opened (from the loader's log of its start). */
  adapter: null as AdapterFacts | null,
  providers: {} as Record<string, ProviderStart & { loaderLog?: string[] }>,
  correctness: null as Awaited<ReturnType<typeof compareWithCpu>> | null,
  throughput: [] as ShapeResult[],
  /** Per shape and kind (`qwen2-0.5b forward`): the GPU's tokens/s over {@link REFERENCE_CPU}'s; the goal is ≥ factor. */
  goal: { reference: REFERENCE_CPU, factor: GOAL, ratios: {} as Record<string, number> },
  notes: [] as string[],
};

function save(): void {
  report.host.peakRssGiB = +(process.resourceUsage().maxRSS / 2 ** 20).toFixed(2);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
}

function log(line: string): void {
  console.log(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`);
}

/** Thrown by a phase that does not start: too little of the budget is left. */
class Skipped extends Error {}

/** Runs one phase: named in gpu.json while it runs, its error (or why it was skipped) noted rather than thrown. */
async function phase(name: string, work: () => Promise<void>): Promise<void> {
  report.running = name;
  save();
  log(`${name} …`);
  try {
    await work();
  } catch (err) {
    const note = `${name} ${err instanceof Skipped ? 'skipped' : 'failed'}: ${(err as Error).message}`;
    report.notes.push(note);
    log(note);
  }
  report.running = null;
  save();
}

await phase('machine', async () => {
  report.driver = nvidiaSmi();
  report.vulkan = vulkanFacts();
  for (const provider of providers.filter((p) => p !== 'cpu')) {
    // VK_LOADER_DEBUG=driver: the Vulkan loader says which drivers it found and loaded in ONNX Runtime's process.
    const start = probeInChild<ProviderStart>(provider, provider === 'webgpu' ? { VK_LOADER_DEBUG: 'driver' } : {});
    const loaderLog = [...new Set(start.stderr.split('\n').map((l) => l.trimEnd()))]
      .filter((l) => /driver|icd/i.test(l) && !/In following locations|Searching for driver manifest|^DRIVER:\s+(\/|<|\|\|)/.test(l))
      .slice(0, 40);
    report.providers[provider] = { ...(start.result ?? { ok: false, seconds: 0, error: start.error }), ...(provider === 'webgpu' && { loaderLog }) };
    if (provider === 'webgpu') report.adapter = adapterFromLoaderLog(loaderLog);
  }
  if (gpuProvider !== 'cuda') {
    const cuda = probeInChild<ProviderStart>('cuda');
    report.providers.cuda = cuda.result ?? { ok: false, seconds: 0, error: cuda.error };
  }
  report.providers.cpu = await startProvider('cpu');
});

const gpuStarts = gpuProvider !== 'cpu' && report.providers[gpuProvider]?.ok === true;
if (gpuProvider !== 'cpu' && !gpuStarts) report.notes.push(`${gpuProvider} did not start: its correctness and throughput phases were skipped`);

if (gpuStarts) {
  await phase(`correctness: ${gpuProvider} against ort-cpu`, async () => {
    const model = smallModel(
      { model_type: 'qwen2', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 128, vocab_size: 512, tie_word_embeddings: true },
      SEED,
    );
    report.correctness = await compareWithCpu(model, gpuProvider, randomWindows(2, 24, model.config.vocabSize, SEED + 1));
  });
}

for (const name of shapeNames) {
  const rawShape = TINY_SHAPES[name] ?? SHAPES[name]?.config;
  if (rawShape === undefined) {
    report.notes.push(`unknown shape ${name} (known: ${[...Object.keys(SHAPES), ...Object.keys(TINY_SHAPES)].join(', ')})`);
    continue;
  }
  const config = parseModelConfig(generatedRawConfig({ config: rawShape }), name);
  const shape: ShapeResult = { shape: name, parameters: 0, results: [] };
  report.throughput.push(shape);
  const generated: { weights?: Map<string, HostTensor> } = {};
  await phase(`${name}: generate weights (seed ${SEED})`, async () => {
    const t = performance.now();
    shape.parameters = [...expectedWeightShapes(config).values()].reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
    const need = shape.parameters * GENERATE_SECONDS_PER_PARAMETER + MIN_PHASE_SECONDS;
    if (left() < need) throw new Skipped(`${left().toFixed(0)} s left, generating and one run need ~${need.toFixed(0)} s`);
    generated.weights = generateWeights(config, SEED);
    shape.generateSeconds = +((performance.now() - t) / 1000).toFixed(1);
  });
  const weights = generated.weights;
  if (weights === undefined) continue;
  for (const provider of gpuStarts ? providers : providers.filter((p) => p === 'cpu')) {
    const model = new OrtModel(config, weights, { provider });
    try {
      for (const kind of ['forward', 'forward+backward'] as const) {
        const where = provider === 'cpu' ? 'cpu' : 'gpu';
        await phase(`${name}: ${provider} ${kind}`, async () => {
          if (left() < MIN_PHASE_SECONDS) throw new Skipped(`${left().toFixed(0)} s of the budget left`);
          const [batch, seq] = RUNS[where][kind];
          const windows = randomWindows(batch!, seq!, config.vocabSize, SEED + 2);
          const phaseDeadline = Math.min(deadline, performance.now() + PHASE_SECONDS[kind] * 1000);
          const result = await throughput(model, kind, windows, phaseDeadline);
          shape.results.push({ ...result, provider, threads: provider === 'cpu' ? model.threads : null });
          const reference = REFERENCE_CPU[name]?.[kind];
          if (provider !== 'cpu' && reference !== undefined) report.goal.ratios[`${name} ${kind}`] = +(result.tokensPerSecond / reference).toFixed(2);
          log(`${name} ${provider} ${kind}: ${result.tokensPerSecond.toFixed(0)} tokens/s (${result.runs.length} runs of ${batch}×${seq}; first ${result.runs[0]!.seconds.toFixed(2)} s)`);
        });
      }
    } finally {
      await model.release();
    }
  }
}

report.finished = new Date().toISOString();
save();
console.log(summary());

/** The human summary: what the machine offered, how far the GPU agrees with the CPU, and the rates side by side. */
function summary(): string {
  const mb = (bytes: number) => (bytes < 2 ** 20 ? `${bytes.toLocaleString('en-US')} B` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
  const lines = [
    '',
    `GPU benchmark, ${report.started} (${((performance.now() - t0) / 1000).toFixed(0)} s of ${budgetSeconds} s; gpu.json: ${out})`,
    `driver (nvidia-smi): ${report.driver?.ok ? report.driver.output : `none (${report.driver?.output ?? 'not probed'})`}`,
    `NVIDIA Vulkan ICD ${report.vulkan?.nvidiaIcd.path}: ${report.vulkan?.nvidiaIcd.exists ? 'present' : 'absent'}; loader: ${report.vulkan?.loader}; ICDs: ${report.vulkan?.icdFiles.join(', ') || 'none'}`,
    `adapter (the Vulkan device ${gpuProvider} opened): ${report.adapter?.device ?? 'none'}${report.adapter?.driver ? ` (driver ${report.adapter.driver})` : ''}`,
    ...Object.entries(report.providers).map(([p, s]) => `provider ${p}: ${s.ok ? `starts (${s.seconds.toFixed(1)} s)` : `does not start: ${s.error}`}`),
  ];
  const c = report.correctness;
  if (c !== null) {
    const line = (what: string, a: { maxRelative: number; limit: number; ok: boolean; worst?: string }) =>
      `  ${a.ok ? 'OK    ' : 'NOT OK'} ${what}: ${a.maxRelative.toExponential(2)} relative (limit ${a.limit.toExponential(0)})${a.worst ? `, worst ${a.worst}` : ''}`;
    lines.push(`${gpuProvider} against ort-cpu (small seeded qwen2 model):`, line('logits', c.logits), line('loss', c.loss), line('gradients', c.grads));
  }
  lines.push('throughput (tokens/s: predicted tokens per second, from the fastest run after the first):');
  for (const s of report.throughput) {
    for (const kind of ['forward', 'forward+backward'] as const) {
      const gpu = s.results.find((r) => r.kind === kind && r.provider !== 'cpu');
      const cpu = s.results.find((r) => r.kind === kind && r.provider === 'cpu');
      const rate = (r: typeof gpu) => (r === undefined ? '—' : `${r.tokensPerSecond.toFixed(1)}${r.firstRunOnly ? ' (first run only)' : ''}`);
      const ratio = gpu && cpu ? ` (GPU ×${(gpu.tokensPerSecond / cpu.tokensPerSecond).toFixed(1)})` : '';
      const goal = report.goal.ratios[`${s.shape} ${kind}`];
      const reference = REFERENCE_CPU[s.shape]?.[kind];
      const versus = goal === undefined ? '' : `; ×${goal.toFixed(1)} the 2-core reference's ${reference} (goal ≥ ×${GOAL}: ${goal >= GOAL ? 'met' : 'NOT met'})`;
      const gpuRate = gpuProvider === 'cpu' ? '' : `${gpuProvider} ${rate(gpu)}, `;
      lines.push(`  ${s.shape} ${kind}: ${gpuRate}ort-cpu (${cpu?.threads ?? '?'} threads) ${rate(cpu)}${ratio}${versus}`);
      if (gpu !== undefined) {
        const [first, ...later] = gpu.runs.map((r) => r.transfers.weightBytes + r.transfers.inputBytes + r.transfers.outputBytes);
        lines.push(`    moved per run: first ${mb(first!)} (weights ${mb(gpu.runs[0]!.transfers.weightBytes)}), later ${later.length > 0 ? later.map(mb).join(', ') : '—'}`);
      }
    }
  }
  if (report.notes.length > 0) lines.push('notes:', ...report.notes.map((n) => `  ${n}`));
  return lines.join('\n');
}
