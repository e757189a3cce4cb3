import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError } from '../../src/engine/errors.js';
import { currentBackend, initBackend, type BackendName } from '../../src/engine/tfjs/select.js';

function isInstalled(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

const tensorflowInstalled = isInstalled('@tensorflow/tfjs-node-gpu') || isInstalled('@tensorflow/tfjs-node');

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('initBackend', () => {
  it('starts wasm with both kernel fixes and says which device runs', async () => {
    const info = await initBackend('wasm');
    expect(info).toMatchObject({ name: 'wasm', tfBackend: 'wasm' });
    expect(info.device).toMatch(/^CPU: .+ \(wasm( SIMD)?, \d+ threads?\)$/);
    expect(info.kernelFixes).toHaveLength(2);
    expect(tf.getBackend()).toBe('wasm');
    expect(currentBackend()).toBe(info);
  });

  it('returns the very same info, without restarting, when asked again for the active backend', async () => {
    const first = await initBackend('wasm');
    expect(await initBackend('wasm')).toBe(first);
    const auto = await initBackend('auto');
    expect(await initBackend('auto')).toBe(auto);
  });

  it('switches when asked for another backend, and back', async () => {
    const cpu = await initBackend('cpu');
    expect(cpu).toMatchObject({ name: 'cpu', tfBackend: 'cpu' });
    expect(cpu.kernelFixes).toHaveLength(1);
    expect(tf.getBackend()).toBe('cpu');
    expect((await initBackend('wasm')).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it.skipIf(tensorflowInstalled)(
    'tensorflow: throws naming both packages and why, and keeps the current backend (skipped where tfjs-node is installed)',
    async () => {
      await initBackend('wasm');
      const failure = initBackend('tensorflow');
      await expect(failure).rejects.toBeInstanceOf(BackendError);
      await expect(failure).rejects.toThrow(/@tensorflow\/tfjs-node-gpu: not installed; .*network access/);
      await expect(failure).rejects.toThrow(/@tensorflow\/tfjs-node: not installed/);
      expect(tf.getBackend()).toBe('wasm');
      expect(currentBackend()?.name).toBe('wasm');
    },
  );

  it.skipIf(tensorflowInstalled)('auto: falls back to wasm when libtensorflow is not installed', async () => {
    await initBackend('cpu');
    expect((await initBackend('auto')).name).toBe('wasm');
  });

  it('rejects an unknown name, listing the valid ones, and keeps the current backend', async () => {
    await initBackend('wasm');
    await expect(initBackend('gpu' as BackendName)).rejects.toThrow(
      "backend 'gpu': initBackend('gpu') is not a backend; expected one of auto, tensorflow, wasm, cpu, webgpu",
    );
    expect(tf.getBackend()).toBe('wasm');
  });

  it('honours REGIONS_BACKEND when called without a name, and names it when invalid', async () => {
    vi.stubEnv('REGIONS_BACKEND', 'cpu');
    expect((await initBackend()).name).toBe('cpu');
    vi.stubEnv('REGIONS_BACKEND', 'cuda');
    await expect(initBackend()).rejects.toThrow("REGIONS_BACKEND='cuda' is not a backend");
    expect(tf.getBackend()).toBe('cpu');
  });

  it('forgets its info when tfjs is switched behind its back', async () => {
    await initBackend('wasm');
    await tf.setBackend('cpu');
    expect(currentBackend()).toBeUndefined();
    expect((await initBackend('wasm')).name).toBe('wasm');
  });
});

describe('tfjs is an optional peer', () => {
  it('a missing @tensorflow/tfjs is a BackendError naming the backend and what to install; any other load failure stays as it was', async () => {
    const { tfjsMissing, TFJS_INSTALL } = await import('../../src/engine/select.js');
    const missing = Object.assign(new Error("Cannot find package '@tensorflow/tfjs' imported from /x/node_modules/vitest-regions/dist/engine/tfjs/select.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = tfjsMissing('wasm', missing);
    expect(error?.message).toBe(`backend 'wasm': the tfjs engine is not installed (its packages are optional peers of vitest-regions): ${TFJS_INSTALL}; or leave the backend to ONNX Runtime, the default`);
    expect(error?.cause).toBe(missing);
    expect(tfjsMissing('wasm', new Error("Cannot find package 'left-pad' imported from /x"))).toBeNull();
    expect(tfjsMissing('wasm', new Error('wasm file failed to compile'))).toBeNull();
  });
});
