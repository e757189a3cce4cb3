import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/**
 * The widest x86 SIMD level this CPU offers of those ONNX Runtime's CPU kernels (MLAS) dispatch on —
 * 'AVX-512' (avx512f), 'AVX2' (avx2 and fma), or 'pre-AVX2' — read from /proc/cpuinfo; null where that cannot be
 * read (not Linux, not x86). Two CPUs with one model name can differ here (a VM may report only "AMD EPYC"),
 * and then the same float32 program gives other bits.
 */
export function simdLevel(cpuinfo?: string): 'AVX-512' | 'AVX2' | 'pre-AVX2' | null {
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return null;
    }
  }
  const flags = new Set(/^flags\s*:\s*(.*)$/m.exec(text)?.[1]?.split(/\s+/) ?? []);
  if (flags.size === 0) return null;
  if (flags.has('avx512f')) return 'AVX-512';
  if (flags.has('avx2') && flags.has('fma')) return 'AVX2';
  return 'pre-AVX2';
}
