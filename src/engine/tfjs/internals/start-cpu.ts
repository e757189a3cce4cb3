import { installCpuKernelFixes } from '../cpu-kernels.js';
import type { BackendInfo } from '../types.js';
import { activate } from './activate.js';
import { cpuModel } from '../../devices.js';

/** tfjs's plain-JavaScript `cpu` backend with the faster `UnsortedSegmentSum`. Slow; a reference. */
export async function startCpu(): Promise<BackendInfo> {
  const kernelFixes = [...installCpuKernelFixes()];
  await activate('cpu', 'cpu');
  return { name: 'cpu', tfBackend: 'cpu', device: `CPU: ${cpuModel()} (plain JavaScript)`, kernelFixes };
}
