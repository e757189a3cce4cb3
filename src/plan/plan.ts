/**
 * `regions plan`: before anything runs, what each job would hold and how long it would take on this machine, for a
 * checkpoint known only by its config.json — the memory model (../engine/memory.ts), the operation counts and the
 * measured MatMul rate (../engine/cost.ts) — with what does not fit or would take longer than a day, and the cheaper
 * setting that would.
 */
import type { ModelConfig } from '../checkpoint/config.js';
import { estimateSeconds, type JobWork } from '../engine/cost.js';
import { estimateMemory, gradientPasses, importanceSlices, type MemoryEngine, type MemoryEstimate, type MemoryJob } from '../engine/memory.js';
import { frozenPretrainThresholdsSchema } from '../findings/retain-after-frozen-pretrain.js';
import { regionsOptionsSchema } from '../subject/options.js';

/** The settings a plan is for (the plugin's and the CLI's defaults unless given). */
export interface PlanSettings {
  engine: MemoryEngine;
  /** Windows per pass and tokens per window. */
  batch: number;
  seqLen: number;
  /** Evaluation languages and tokens scored per language (the subject's evalTokens). */
  languages: number;
  evalTokens: number;
  /** Region languages, and the tokens of training text importance reads per language. */
  regionLanguages: number;
  importanceTokens: number;
  /** One further pre-training run (finding 4): steps, windows per step, evaluations along it, languages evaluated. */
  training: { steps: number; batch: number; evaluations: number; languages: number };
}

/**
 * The plugin's defaults (its options schema: evalTokens, importanceTokens, the region languages, batch, seqLen) and
 * finding 4's (its thresholds schema: steps, batch, evaluations; the retained languages, the trained one and its
 * held-out text evaluated), over the 30 UDHR languages: what a spec suite on a new checkpoint runs unless told otherwise.
 */
export function planDefaults(): PlanSettings {
  const o = regionsOptionsSchema.shape;
  const f = frozenPretrainThresholdsSchema.parse({});
  return {
    engine: 'onnxruntime',
    batch: o.batchSize.parse(undefined),
    seqLen: o.seqLen.parse(undefined),
    languages: 30,
    evalTokens: o.evalTokens.parse(undefined),
    regionLanguages: o.regionLanguages.parse(undefined).length,
    importanceTokens: o.importanceTokens.parse(undefined),
    training: { steps: f.steps, batch: f.batch, evaluations: f.curvePoints, languages: f.retain.length + 2 },
  };
}

/** One job of the plan. */
export interface PlanRow {
  /** What it is, e.g. "regions importance (one language, 100,000 tokens)". */
  job: string;
  memory: MemoryEstimate;
  fits: boolean;
  seconds: number;
  /** Slices importance computes the gradients in, the fewest that fit (1 for other jobs). */
  slices: number;
  /** What does not work as asked, in words (null: it fits and takes less than a day). */
  problem: string | null;
  /** The cheaper setting that would (null: none needed, or none found). */
  cheaper: string | null;
}

/** The machine a plan is for: memory available and the measured MatMul rate. */
export interface PlanMachine {
  available: number;
  gflops: number;
}

const DAY = 86_400;
const GiB = 2 ** 30;
const gib = (bytes: number) => `${(bytes / GiB).toFixed(1)} GiB`;
const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** "3 min", "2.4 h", "5.1 days". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * DAY) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / DAY).toFixed(1)} days`;
}

interface JobSpec {
  job: string;
  memory: MemoryJob;
  work: JobWork;
  /** The setting that scales its time, and how to say a value of it ("--max-tokens 12,000"). */
  scale: { say: (fraction: number) => string } | null;
}

/** The jobs a plan lists, at `s`. */
function jobs(s: PlanSettings): JobSpec[] {
  const shape = { engine: s.engine, batch: s.batch, seqLen: s.seqLen };
  const evalAll = s.languages * s.evalTokens;
  const t = s.training;
  const trainingTokens = t.steps * t.batch * s.seqLen;
  const trainingEval = t.evaluations * t.languages * s.evalTokens;
  return [
    {
      job: `regions ppl (${s.languages} languages × ${count(s.evalTokens)} tokens)`,
      memory: { kind: 'forward', ...shape },
      work: { forwardTokens: evalAll, gradientTokens: 0, seqLen: s.seqLen },
      scale: { say: (f) => `--max-tokens ${count(Math.max(s.seqLen, s.evalTokens * f))}` },
    },
    {
      job: `regions importance (one language, ${count(s.importanceTokens)} tokens)`,
      memory: { kind: 'importance', maps: 0, gradientPasses: gradientPasses(s.importanceTokens, s.batch, s.seqLen), ...shape },
      work: { forwardTokens: 0, gradientTokens: s.importanceTokens, seqLen: s.seqLen },
      scale: { say: (f) => `--max-tokens ${count(Math.max(s.seqLen, s.importanceTokens * f))}` },
    },
    {
      job: `the specs' warm-up (baseline of ${s.languages} languages; importance of ${s.regionLanguages} region languages × ${count(s.importanceTokens)} tokens, the maps held)`,
      memory: { kind: 'importance', maps: s.regionLanguages, gradientPasses: gradientPasses(s.importanceTokens, s.batch, s.seqLen), ...shape },
      work: { forwardTokens: evalAll, gradientTokens: s.regionLanguages * s.importanceTokens, seqLen: s.seqLen },
      scale: { say: (f) => `importanceTokens: ${count(Math.max(s.seqLen, s.importanceTokens * f))}` },
    },
    {
      job: `one perturbation measured (${s.languages} languages × ${count(s.evalTokens)} tokens; a finding measures a few)`,
      memory: { kind: 'forward', ...shape },
      work: { forwardTokens: evalAll, gradientTokens: 0, seqLen: s.seqLen },
      scale: { say: (f) => `evalTokens: ${count(Math.max(s.seqLen, s.evalTokens * f))}` },
    },
    {
      job: `one further pre-training run (finding 4: ${t.steps} steps × ${t.batch} windows; it runs three)`,
      memory: { kind: 'training', engine: s.engine, batch: t.batch, seqLen: s.seqLen },
      work: { forwardTokens: trainingEval, gradientTokens: trainingTokens, seqLen: s.seqLen },
      scale: { say: (f) => `steps: ${count(Math.max(1, t.steps * f))}` },
    },
  ];
}

/** `batch`, then halved down to 1. */
const halvings = (batch: number): number[] => {
  const out = [batch];
  while (out.at(-1)! > 1) out.push(Math.max(1, Math.floor(out.at(-1)! / 2)));
  return out;
};

/** An importance job with the slices importance would choose for it on `available` bytes ({@link importanceSlices}); other jobs as they are. */
function withSlices(config: ModelConfig, job: MemoryJob, available: number): MemoryJob {
  return job.kind === 'importance' ? { ...job, slices: importanceSlices(config, job, available) } : job;
}

/**
 * The first setting that fits, trying in turn: fewer windows per pass; for importance, one pass (no growth over
 * passes), then fewer region languages (each holds its map) — each with the gradient slices it would choose; else
 * what even the least of these needs.
 */
function cheaperSetting(config: ModelConfig, job: MemoryJob, available: number): string {
  const total = (j: MemoryJob) => estimateMemory(config, withSlices(config, j, available)).total;
  const sliced = (j: MemoryJob) => {
    const k = withSlices(config, j, available);
    return k.kind === 'importance' && (k.slices ?? 1) > 1 ? `, gradients in ${k.slices} slices` : '';
  };
  const windows = (b: number) => `${b} window${b === 1 ? '' : 's'}`;
  const candidates: { job: MemoryJob; say: string }[] = halvings(job.batch)
    .slice(1)
    .map((batch) => ({ job: { ...job, batch }, say: `${windows(batch)} per pass (--batch-size ${batch})` }));
  let least: MemoryJob = { ...job, batch: 1 };
  if (job.kind === 'importance') {
    const passes = (job.gradientPasses ?? 1) > 1 ? [job.gradientPasses ?? 1, 1] : [1];
    for (const gradientPasses of passes.slice(1)) {
      for (const batch of halvings(job.batch)) candidates.push({ job: { ...job, batch, gradientPasses }, say: `one pass of ${windows(batch)} (--max-tokens ${count(batch * (job.seqLen - 1))}), without the growth over passes` });
    }
    for (let maps = job.maps - 1; maps >= 1; maps--) {
      for (const gradientPasses of passes) {
        for (const batch of halvings(job.batch)) {
          const one = gradientPasses === 1 && passes.length > 1 ? `, one pass of ${windows(batch)}` : batch < job.batch ? `, ${windows(batch)} per pass` : '';
          candidates.push({ job: { ...job, maps, batch, gradientPasses }, say: `${maps} region language${maps === 1 ? '' : 's'} (regionLanguages; each holds a map of ${gib(estimateMemory(config, job).parameters * 4)})${one}` });
        }
      }
    }
    least = { ...job, batch: 1, gradientPasses: 1, maps: Math.min(job.maps, 1) };
  }
  const found = candidates.find((c) => total(c.job) <= available);
  if (found !== undefined) return `${found.say}: ${gib(total(found.job))}${sliced(found.job)}`;
  return `none on this machine: even ${windows(1)} a pass${least.kind === 'importance' ? `, one pass${least.maps > 0 ? ', one region language' : ''}` : ''} needs ${gib(total(least))}`;
}

/** Each job's memory and time at `settings` on `machine`, what does not work and the cheaper setting that would. */
export function planJobs(config: ModelConfig, settings: PlanSettings, machine: PlanMachine): PlanRow[] {
  return jobs(settings).map((spec) => {
    // Importance computes the gradients in as many slices as it needs to fit (../importance/internals/score.ts).
    const job = withSlices(config, spec.memory, machine.available);
    const slices = job.kind === 'importance' ? (job.slices ?? 1) : 1;
    const memory = estimateMemory(config, job);
    const fits = memory.total <= machine.available;
    const seconds = estimateSeconds(config, { ...spec.work, gradientSlices: slices }, machine.gflops);
    let problem: string | null = null;
    let cheaper: string | null = null;
    if (!fits) {
      problem = `needs ${gib(memory.total)}, ${gib(machine.available)} available`;
      cheaper = cheaperSetting(config, spec.memory, machine.available);
    } else if (seconds > DAY) {
      problem = `about ${formatDuration(seconds)}`;
      cheaper = spec.scale === null ? null : `${spec.scale.say(3600 / seconds)} (about 1 h)`;
    }
    return { job: spec.job, memory, fits, seconds, slices, problem, cheaper };
  });
}
