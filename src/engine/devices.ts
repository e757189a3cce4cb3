/** The machine, as outputs and cache keys name it: the CPU model and SIMD level, the GPU, and whether two machines round alike. */
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

/** Where a run says it ran: its engine device ("CPU: AMD EPYC (ONNX Runtime …)") and the CPU's SIMD level, null if not recorded. */
export interface RunDevice {
  device: string;
  simd: string | null;
}

/** The CPU name of a device string: what comes before " (", e.g. "CPU: AMD EPYC". */
export const deviceName = (device: string): string => device.split(' (')[0]!;

/**
 * Whether two runs ran the same CPU kernels, judged from what they record: `yes` for the same CPU name and
 * SIMD level, `maybe` for the same name with a level missing on either side (records before 2026-12-02),
 * `no` otherwise. Bit-identical results are expected only for `yes`; for `maybe` equal bits say the kernels
 * were the same, other bits that they may not have been.
 */
export function sameKernels(a: RunDevice, b: RunDevice): 'yes' | 'maybe' | 'no' {
  if (deviceName(a.device) !== deviceName(b.device)) return 'no';
  if (a.simd === null || b.simd === null) return 'maybe';
  return a.simd === b.simd ? 'yes' : 'no';
}
