import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

/** The CPU's model name as the OS reports it, e.g. 'AMD EPYC 9654 96-Core Processor'. */
export function cpuModel(): string {
  return cpus()[0]?.model.trim() || 'unknown CPU';
}

/**
 * The first NVIDIA GPU's name from `nvidia-smi` (e.g. 'NVIDIA H200'), or undefined when the tool is
 * missing or fails. Only called once libtensorflow says it runs on a GPU.
 */
export function nvidiaGpuName(): string | undefined {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], {
      encoding: 'utf8',
      timeout: 5_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\n')[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}
