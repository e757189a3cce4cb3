import { BackendError } from '../../errors.js';
import type { BackendInfo } from '../types.js';
import { activate } from './activate.js';
import { describeImportFailure, importOptional } from '../../../util/optional-import.js';

/** The parts of the `webgpu` package (Dawn for Node) we use, typed here so it can stay optional. */
interface Dawn {
  create(options: string[]): Gpu;
  globals: object;
}
interface Gpu {
  requestAdapter(options?: object): Promise<Adapter | null>;
}
interface Adapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}

/** One way to ask Dawn for an adapter. */
interface Attempt {
  label: string;
  createOptions: string[];
  adapterOptions: object;
  /** Environment variables set (when unset) before the attempt. */
  env: Record<string, string>;
}

/**
 * Real GPUs first (Dawn's default: Vulkan on Linux). Then OpenGL at WebGPU's compatibility level,
 * which on a machine without a GPU is Mesa's llvmpipe through surfaceless EGL: correct, but slower
 * than wasm. (Mesa's lavapipe Vulkan lacks features Dawn requires, so the first attempt finds nothing.)
 */
const ATTEMPTS: readonly Attempt[] = [
  { label: 'default', createOptions: [], adapterOptions: { powerPreference: 'high-performance' }, env: {} },
  {
    label: 'OpenGL',
    createOptions: ['backend=opengl'],
    adapterOptions: { featureLevel: 'compatibility' },
    env: { EGL_PLATFORM: 'surfaceless' },
  },
];

const INSTALL_HINT = 'it is an optional peer dependency: npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0 to use the webgpu backend';

/** Set once the tfjs webgpu backend is registered with our adapter; later calls only re-activate. */
let startedDevice: string | undefined;
/**
 * The Dawn instance behind the adapter. It must outlive the adapter: when it is garbage-collected,
 * Dawn tears down under tfjs's device and the process dies ("The futex facility returned an
 * unexpected error code").
 */
let liveGpu: Gpu | undefined;

/**
 * tfjs's `webgpu` backend on Dawn through the `webgpu` npm package. Sets `globalThis.navigator.gpu`
 * (Node has no WebGPU of its own) to a GPU object that hands tfjs the adapter found here, and the
 * WebGPU constants (`GPUBufferUsage`, …) as globals. May set `EGL_PLATFORM=surfaceless`.
 *
 * `dataSync()`/`arraySync()` fail on this backend under Node (tfjs reaches for `OffscreenCanvas`):
 * read tensors with `await data()` / `await array()`.
 */
export async function startWebgpu(): Promise<BackendInfo> {
  if (startedDevice === undefined) startedDevice = await registerWithAdapter();
  await activate('webgpu', 'webgpu');
  return { name: 'webgpu', tfBackend: 'webgpu', device: startedDevice, kernelFixes: [] };
}

async function registerWithAdapter(): Promise<string> {
  const dawn = (await importOrThrow('webgpu')) as Dawn;
  const { adapter, label } = await findAdapter(dawn);
  Object.assign(globalThis, dawn.globals);
  installNavigatorGpu({ requestAdapter: async () => adapter });
  await importOrThrow('@tensorflow/tfjs-backend-webgpu');
  return `webgpu: ${describeAdapter(adapter)} (Dawn, ${label})`;
}

async function findAdapter(dawn: Dawn): Promise<{ adapter: Adapter; label: string }> {
  const tried: string[] = [];
  for (const attempt of ATTEMPTS) {
    for (const [key, value] of Object.entries(attempt.env)) process.env[key] ??= value;
    const gpu = dawn.create(attempt.createOptions);
    const adapter = await gpu.requestAdapter(attempt.adapterOptions);
    if (adapter !== null) {
      liveGpu = gpu;
      return { adapter, label: attempt.label };
    }
    tried.push(describeAttempt(attempt));
  }
  throw new BackendError('webgpu', `Dawn found no WebGPU adapter; tried: ${tried.join(', ')}`);
}

function describeAttempt({ label, createOptions, adapterOptions, env }: Attempt): string {
  const vars = Object.keys(env).map((key) => `, ${key}=${process.env[key] ?? ''}`);
  const calls = `create(${JSON.stringify(createOptions)}), requestAdapter(${JSON.stringify(adapterOptions)})`;
  return `${label} (${calls}${vars.join('')})`;
}

/** Node 20 has no `navigator`; Node ≥ 21 has one without `gpu`. */
function installNavigatorGpu(gpu: Gpu): void {
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
}

async function importOrThrow(name: string): Promise<unknown> {
  try {
    return await importOptional(name);
  } catch (error) {
    throw new BackendError('webgpu', describeImportFailure(name, error, INSTALL_HINT), { cause: error });
  }
}

function describeAdapter(adapter: Adapter): string {
  const { vendor, architecture, device, description } = adapter.info ?? {};
  return [vendor, architecture, device, description].filter((s) => s !== undefined && s !== '').join(', ') ||
    'unnamed adapter';
}
