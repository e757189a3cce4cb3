/**
 * Which engine runs the model's forward passes:
 * - `ort-cpu`, `ort-webgpu`, `ort-cuda`: ONNX Runtime (onnxruntime-node) with that execution provider.
 *   The CPU provider ships in the package; WebGPU is bundled too and needs a GPU adapter (Vulkan on
 *   Linux); CUDA needs its provider binaries installed (README: "GPU").
 * - `ort`: ONNX Runtime, WebGPU where a GPU is present and it starts, else CPU.
 * - `tensorflow`, `wasm`, `cpu`, `webgpu`: the tfjs backends (./tfjs/select.ts).
 * - `auto` (the default): `ort`.
 * A name asked for that cannot start is a {@link BackendError}; only `ort`/`auto` fall back, and every
 * output says what ran.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, platform } from 'node:os';
import type { ModelConfig } from '../checkpoint/config.js';
import type { HostTensor } from '../checkpoint/types.js';
import { BackendError } from './errors.js';
import { isNotInstalled } from '../util/optional-import.js';
import { cpuModel, nvidiaGpuName } from './devices.js';
import type { BackendName } from './tfjs/select.js';
import type { OrtModel } from './onnx/ort-model.js';
import type { EngineKey } from '../cache/key.js';
import type { EngineModel } from '../model/engine-model.js';

export const ORT_ENGINES = ['ort', 'ort-cpu', 'ort-webgpu', 'ort-cuda'] as const;
const TFJS_BACKENDS = ['tensorflow', 'wasm', 'cpu', 'webgpu'] as const;

/** Every name `--backend` / `REGIONS_BACKEND` takes for forward passes. */
export const ENGINE_NAMES = ['auto', ...ORT_ENGINES, ...TFJS_BACKENDS] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Whether a name is one of the tfjs backends (not auto, not ONNX Runtime). */
export function isTfjsBackend(name: string | undefined): name is Exclude<BackendName, 'auto'> {
  return (TFJS_BACKENDS as readonly (string | undefined)[]).includes(name);
}

/**
 * The device an ONNX Runtime engine runs on, in words: what {@link EngineInfo.device} says and what cache
 * keys record (../cache/key.ts). Known before the engine starts, for a provider named outright.
 */
export function ortDevice(provider: 'cpu' | 'webgpu' | 'cuda', threads: number, version: string): string {
  const where = provider === 'cpu' ? `CPU: ${cpuModel()}` : `GPU: ${nvidiaGpuName() ?? 'adapter'}`;
  const detail = provider === 'cpu' ? `, ${threads} thread${threads === 1 ? '' : 's'}` : '';
  return `${where} (ONNX Runtime ${version}, ${provider} execution provider${detail})`;
}

/**
 * The engine a name will start, as cache keys record it, when that is known before loading a model: an
 * ONNX Runtime provider named outright, `auto`/`ort` on a machine without a GPU (then the CPU provider), a
 * tfjs backend (started here, without a model). Null where only starting the model tells (`auto`/`ort`
 * with a GPU present: WebGPU, or the CPU if no adapter starts).
 */
export async function plannedEngine(name: EngineName, threads: number): Promise<EngineKey | null> {
  if (isTfjsBackend(name)) {
    const { initBackend } = await loadTfjsEngine(name);
    const backend = await initBackend(name);
    return { name: backend.name, device: backend.device };
  }
  const provider = name === 'auto' || name === 'ort' ? (gpuPresent() ? null : 'cpu') : (name.slice(4) as 'cpu' | 'webgpu' | 'cuda');
  if (provider === null) return null;
  const ort = await import('onnxruntime-node');
  return { name: `ort-${provider}`, device: ortDevice(provider, threads, ort.env.versions.common) };
}

/** The engine a started model runs on, as cache keys record it (the same words as its {@link EngineInfo}). */
export async function engineOf(model: EngineModel): Promise<EngineKey> {
  if (model.kind === 'onnxruntime') {
    const { provider, threads } = model as OrtModel;
    const ort = await import('onnxruntime-node');
    return { name: `ort-${provider}`, device: ortDevice(provider, threads, ort.env.versions.common) };
  }
  const { currentBackend, tfjsBackendName } = await loadTfjsEngine('tfjs');
  const backend = currentBackend();
  if (backend !== undefined) return { name: backend.name, device: backend.device };
  // A backend set with tf.setBackend directly, not through initBackend: named as tfjs names it.
  const named = tfjsBackendName();
  return { name: named, device: `tfjs ${named} backend on CPU: ${cpuModel()}` };
}

/** What to install for the tfjs engine: its packages are optional peers of this one. */
export const TFJS_INSTALL = 'npm install @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0';

/**
 * The tfjs engine's modules, loaded on demand. tfjs is an optional peer dependency: where it is not installed,
 * naming a tfjs backend is a {@link BackendError} saying what to install (ONNX Runtime, the default, needs none).
 */
export async function loadTfjsEngine(name: string): Promise<typeof import('./tfjs/select.js') & typeof import('./tfjs/model.js')> {
  try {
    const [select, model] = await Promise.all([import('./tfjs/select.js'), import('./tfjs/model.js')]);
    return { ...select, ...model };
  } catch (err) {
    throw tfjsMissing(name, err) ?? err;
  }
}

/** The error to give when loading the tfjs engine failed because tfjs is not installed, else null. */
export function tfjsMissing(name: string, err: unknown): BackendError | null {
  if (!isNotInstalled('@tensorflow/tfjs', err) && !isNotInstalled('@tensorflow/tfjs-backend-wasm', err)) return null;
  return new BackendError(name, `the tfjs engine is not installed (its packages are optional peers of vitest-regions): ${TFJS_INSTALL}; or leave the backend to ONNX Runtime, the default`, { cause: err });
}

/** The environment variable read when no name is given. */
export const ENGINE_ENV_VAR = 'REGIONS_BACKEND';

/** What ran: the resolved engine name (never `auto`/`ort`) and the device in words. */
export interface EngineInfo {
  name: Exclude<EngineName, 'auto' | 'ort'>;
  engine: 'onnxruntime' | 'tfjs';
  device: string;
}

export type { EngineModel } from '../model/engine-model.js';

/** A model opened on an engine: the model, what ran, and `close`, which frees what the engine holds (never the host weights). */
export interface OpenedForward {
  model: EngineModel;
  info: EngineInfo;
  close(): Promise<void>;
}

/** `requested`, else `$REGIONS_BACKEND`, else auto; an unknown name is a {@link BackendError}. */
export function resolveEngineName(requested: string | undefined, env: NodeJS.ProcessEnv = process.env): EngineName {
  const fromEnv = requested === undefined ? env[ENGINE_ENV_VAR] : undefined;
  const name = requested ?? (fromEnv || 'auto');
  if ((ENGINE_NAMES as readonly string[]).includes(name)) return name as EngineName;
  const source = requested === undefined ? `${ENGINE_ENV_VAR}='${name}'` : `'${name}'`;
  throw new BackendError(name, `${source} is not a backend; expected one of ${ENGINE_NAMES.join(', ')}`);
}

/**
 * Whether an engine name runs its model on a GPU: a GPU provider or tfjs backend named outright, or
 * `auto`/`ort` on a machine that shows a GPU (where they try WebGPU first).
 */
export function runsOnGpu(name: EngineName): boolean {
  if (name === 'ort-webgpu' || name === 'ort-cuda' || name === 'webgpu') return true;
  return (name === 'auto' || name === 'ort') && gpuPresent();
}

/** Whether this machine shows a GPU that WebGPU could use (a Vulkan driver is still needed on Linux). */
function gpuPresent(): boolean {
  if (platform() === 'darwin' || platform() === 'win32') return true;
  return existsSync('/dev/nvidia0') || existsSync('/dev/dri/renderD128');
}

const HINTS: Record<'cpu' | 'webgpu' | 'cuda', string> = {
  cpu: '',
  webgpu: ' (WebGPU needs a GPU adapter: on Linux a GPU with its Vulkan driver)',
  cuda:
    ' (the CUDA provider is not in the npm package by default: reinstall with ' +
    '`npm install onnxruntime-node --onnxruntime-node-install=cuda12`, with CUDA 12 and cuDNN 9 on the machine)',
};

/** A model opened on ONNX Runtime, which computes gradients as well as forward passes. */
export interface OpenedOrt extends OpenedForward {
  model: OrtModel;
}

async function openOrt(
  config: ModelConfig,
  weights: Map<string, HostTensor>,
  requested: EngineName,
  provider: 'cpu' | 'webgpu' | 'cuda',
  threads: number,
): Promise<OpenedOrt> {
  const [{ OrtModel, OrtEngineError }, ort] = await Promise.all([import('./onnx/ort-model.js'), import('onnxruntime-node')]);
  const model = new OrtModel(config, weights, { provider, threads });
  try {
    await model.ready();
  } catch (err) {
    await model.release();
    if (err instanceof OrtEngineError) throw new BackendError(requested, `${err.message}${HINTS[provider]}`, { cause: err });
    throw err;
  }
  return {
    model,
    info: { name: `ort-${provider}`, engine: 'onnxruntime', device: ortDevice(provider, threads, ort.env.versions.common) },
    close: () => model.release(),
  };
}

async function openOrtEngine(config: ModelConfig, weights: Map<string, HostTensor>, name: EngineName, threads: number): Promise<OpenedOrt> {
  if (name === 'auto' || name === 'ort') {
    if (gpuPresent()) {
      try {
        return await openOrt(config, weights, name, 'webgpu', threads);
      } catch {
        // no usable adapter: the CPU provider below (and the output says which ran)
      }
    }
    return openOrt(config, weights, name, 'cpu', threads);
  }
  return openOrt(config, weights, name, name.slice(4) as 'cpu' | 'webgpu' | 'cuda', threads);
}

/**
 * Opens host weights on ONNX Runtime for training (gradients, then host AdamW steps): `auto` and `ort` as in
 * {@link openForward}. A tfjs backend is refused: training runs on ONNX Runtime only.
 * @throws BackendError naming the engine and why it cannot train or start.
 */
export async function openTraining(
  config: ModelConfig,
  weights: Map<string, HostTensor>,
  requested?: string,
  options: { threads?: number } = {},
): Promise<OpenedOrt> {
  const name = resolveEngineName(requested);
  if (isTfjsBackend(name)) {
    throw new BackendError(name, `training runs on ONNX Runtime (${ORT_ENGINES.join(', ')}); ${name} is a tfjs backend, which here computes forward passes and importance only`);
  }
  return openOrtEngine(config, weights, name, options.threads ?? availableParallelism());
}

/**
 * Opens host weights for forward passes on the engine asked for (default: `$REGIONS_BACKEND`, else
 * auto = ONNX Runtime). The ONNX Runtime engine reads the host arrays at every run (edit them to
 * perturb); a tfjs backend uploads a copy.
 * @throws BackendError naming the engine and why it cannot start.
 */
export async function openForward(
  config: ModelConfig,
  weights: Map<string, HostTensor>,
  requested?: string,
  options: { threads?: number } = {},
): Promise<OpenedForward> {
  const name = resolveEngineName(requested);
  const threads = options.threads ?? availableParallelism();
  if (!isTfjsBackend(name)) return openOrtEngine(config, weights, name, threads);
  const { initBackend, LlamaModel } = await loadTfjsEngine(name);
  const backend = await initBackend(name as BackendName);
  const model = LlamaModel.fromWeights(config, weights);
  return {
    model,
    info: { name: backend.name, engine: 'tfjs', device: backend.device },
    close: async () => model.dispose(),
  };
}
