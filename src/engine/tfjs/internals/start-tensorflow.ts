import * as tf from '@tensorflow/tfjs';
import { BackendError } from '../../errors.js';
import type { BackendInfo } from '../types.js';
import { activate } from './activate.js';
import { cpuModel, nvidiaGpuName } from '../../devices.js';
import { describeImportFailure, importOptional } from '../../../util/optional-import.js';

/** Tried in this order; both register tfjs's `tensorflow` backend (libtensorflow through N-API). */
const PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

const installHint = (name: string) => `\`npm install ${name}\` needs network access to download libtensorflow`;

/**
 * libtensorflow through `@tensorflow/tfjs-node-gpu` (CUDA) or else `@tensorflow/tfjs-node` (CPU).
 * When the GPU package fails and the CPU one loads, `device` says why the GPU package failed (tfjs-node-gpu
 * 4.22 wants CUDA 11.2 + cuDNN 8.1). Throws a {@link BackendError} naming both packages and why each
 * failed; never falls back to another backend.
 */
export async function startTensorflow(): Promise<BackendInfo> {
  const failures: string[] = [];
  for (const name of PACKAGES) {
    try {
      await importOptional(name);
    } catch (error) {
      failures.push(describeImportFailure(name, error, installHint(name)));
      continue;
    }
    await activate('tensorflow', 'tensorflow');
    const device = describeDevice(name) + failures.map((line) => `; ${line}`).join('');
    return { name: 'tensorflow', tfBackend: 'tensorflow', device, kernelFixes: [] };
  }
  const reasons = failures.map((line) => `\n  - ${line}`).join('');
  throw new BackendError('tensorflow', `neither package loaded libtensorflow (no fallback to another backend):${reasons}`);
}

function describeDevice(packageName: string): string {
  const backend = tf.backend() as { isUsingGpuDevice?: boolean };
  if (backend.isUsingGpuDevice === true) return `GPU: ${nvidiaGpuName() ?? 'unknown NVIDIA GPU'} (CUDA)`;
  return `CPU: ${cpuModel()} (libtensorflow via ${packageName})`;
}
