/**
 * What the GPU machine offers, read before anything is measured: the NVIDIA driver (nvidia-smi), the Vulkan
 * drivers (ICD files) the loader can find, the Vulkan device ONNX Runtime's WebGPU provider opens, and whether
 * its WebGPU and CUDA providers start. Each probe records its error instead of throwing: the report must say
 * what was missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseModelConfig } from '../../src/checkpoint/config.js';
import { generatedRawConfig, generateWeights } from '../../src/checkpoint/generate.js';
import { OrtModel, type OrtProvider } from '../../src/engine/onnx/ort-model.js';

/** Where the NVIDIA driver's Vulkan ICD lies on the lent machines (/work/.library/device/README.md). */
export const NVIDIA_ICD = '/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json';

/** The Vulkan loader's standard ICD folders (plus what VK_DRIVER_FILES / VK_ICD_FILENAMES name). */
const ICD_DIRS = ['/usr/local/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', dirname(NVIDIA_ICD)];

/** A command's first lines of output, or why it could not run. */
export interface CommandOutput {
  ok: boolean;
  output: string;
}

function command(file: string, args: string[], maxLines = 40): CommandOutput {
  const run = spawnSync(file, args, { encoding: 'utf8', timeout: 20_000, maxBuffer: 1 << 24 });
  if (run.error !== undefined) return { ok: false, output: run.error.message };
  const output = `${run.stdout}${run.stderr}`.trim().split('\n').slice(0, maxLines).join('\n');
  return { ok: run.status === 0, output };
}

/** The GPU and its driver as nvidia-smi reports them (name, driver version, memory, compute capability). */
export function nvidiaSmi(): CommandOutput {
  return command('nvidia-smi', ['--query-gpu=name,driver_version,memory.total,compute_cap', '--format=csv,noheader']);
}

/** The Vulkan side: the NVIDIA ICD file, every ICD file the loader's folders hold, and the loader library. */
export interface VulkanFacts {
  nvidiaIcd: { path: string; exists: boolean };
  /** ICD JSON files found in the loader's standard folders and NVIDIA's. */
  icdFiles: string[];
  /** VK_DRIVER_FILES (or VK_ICD_FILENAMES) as this process sees it. */
  driverFiles: string | null;
  /** The libvulkan.so.1 the dynamic linker resolves (ldconfig's cache, then LD_LIBRARY_PATH). */
  loader: string;
}

export function vulkanFacts(): VulkanFacts {
  const icdFiles = ICD_DIRS.flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => join(d, f)) : []));
  const ldconfig = command('/sbin/ldconfig', ['-p'], Number.POSITIVE_INFINITY);
  const cached = ldconfig.ok ? ldconfig.output.split('\n').filter((l) => l.includes('libvulkan.so.1')).map((l) => l.trim()) : [];
  const carried = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== '' && existsSync(join(d, 'libvulkan.so.1')));
  return {
    nvidiaIcd: { path: NVIDIA_ICD, exists: existsSync(NVIDIA_ICD) },
    icdFiles: [...new Set(icdFiles)],
    driverFiles: process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES ?? null,
    loader: carried.length > 0 ? `${join(carried[0]!, 'libvulkan.so.1')} (LD_LIBRARY_PATH)` : cached.length > 0 ? cached.join('; ') : 'none found',
  };
}

/** A tiny seeded model: what the probes start providers on (and the correctness check compares). */
export function smallModel(config: Record<string, unknown>, seed: number): Pick<OrtModel, 'config' | 'weights'> {
  const parsed = parseModelConfig(generatedRawConfig({ config }), 'generated');
  return { config: parsed, weights: generateWeights(parsed, seed) };
}

/** Whether a provider starts (a one-node session), and its error where it does not. */
export interface ProviderStart {
  ok: boolean;
  seconds: number;
  error: string | null;
}

export async function startProvider(provider: OrtProvider): Promise<ProviderStart> {
  const { config, weights } = smallModel({}, 1);
  const model = new OrtModel(config, weights, { provider });
  const t0 = performance.now();
  try {
    await model.ready();
    return { ok: true, seconds: (performance.now() - t0) / 1000, error: null };
  } catch (err) {
    return { ok: false, seconds: (performance.now() - t0) / 1000, error: (err as Error).message };
  } finally {
    await model.release();
  }
}

/**
 * The Vulkan device ONNX Runtime's Dawn opened and the driver library behind it, read from the Vulkan loader's
 * log of the WebGPU start (VK_LOADER_DEBUG=driver: `Using "<device>" with driver: "<library>"`); ONNX Runtime
 * itself reports no adapter.
 */
export interface AdapterFacts {
  device: string | null;
  driver: string | null;
}

export function adapterFromLoaderLog(log: readonly string[]): AdapterFacts {
  for (const line of log) {
    const m = /Using "(.*)" with driver: "(.*)"/.exec(line);
    if (m !== null) return { device: m[1]!, driver: m[2]! };
  }
  return { device: null, driver: null };
}

/**
 * Runs this script again in a child process with `--probe <what>` and parses the JSON it prints last: the
 * providers are started in processes of their own (a driver that crashes must not take the benchmark down, and
 * the loader's log is that process's stderr). `env` adds variables (VK_LOADER_DEBUG).
 */
export function probeInChild<T>(what: string, env: Record<string, string> = {}): { result: T | null; stderr: string; error: string | null } {
  const run = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--probe', what], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
    maxBuffer: 1 << 24,
  });
  const last = run.stdout?.trim().split('\n').at(-1) ?? '';
  try {
    return { result: JSON.parse(last) as T, stderr: run.stderr ?? '', error: null };
  } catch {
    const why = run.error?.message ?? `exit ${run.status}${run.signal === null ? '' : ` (${run.signal})`}`;
    return { result: null, stderr: run.stderr ?? '', error: `the ${what} probe printed no result: ${why}; stderr: ${(run.stderr ?? '').trim().slice(-600)}` };
  }
}
