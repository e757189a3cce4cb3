import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../types.js';
import { installWasmKernelFixes } from '../wasm-kernels.js';
import { activate } from './activate.js';
import { cpuModel } from '../../devices.js';

/**
 * tfjs's `wasm` backend (XNNPACK, SIMD; one thread under Node) with our kernel fixes. The `.wasm`
 * binaries are loaded from the package's own dist folder, found through Node's resolver, so bundling
 * or vite inlining the JavaScript does not lose them.
 */
export async function startWasm(): Promise<BackendInfo> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const packageMain = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(dirname(packageMain) + sep);
  const kernelFixes = [...installWasmKernelFixes()];
  await activate('wasm', 'wasm');
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = wasm.getThreadsCount();
  const device = `CPU: ${cpuModel()} (wasm${simd ? ' SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'})`;
  return { name: 'wasm', tfBackend: 'wasm', device, kernelFixes };
}
