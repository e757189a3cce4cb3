/**
 * Whether ONNX Runtime's WebGPU provider starts on this machine (a GPU adapter, or CI's software one:
 * Mesa's lavapipe, which .ci/run installs), and why not. Tests of the GPU path run where it starts, and
 * must where REGIONS_REQUIRE_WEBGPU=1 (CI) says so.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { OrtModel } from '../../src/engine/onnx/ort-model.js';
import { REFERENCE_ROOT } from './reference.js';

// Dawn reads XDG_RUNTIME_DIR when it starts (and prints errors without it): a private one where none is set.
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'regions-xdg-'));

/** CI sets REGIONS_REQUIRE_WEBGPU=1: a missing adapter then fails the GPU tests instead of skipping them. */
export const WEBGPU_REQUIRED = process.env.REGIONS_REQUIRE_WEBGPU === '1';

/** Starts the WebGPU provider on a small reference checkpoint: available, or the reason it is not. */
export async function probeWebgpu(): Promise<{ available: boolean; reason: string }> {
  const ckpt = loadCheckpoint(join(REFERENCE_ROOT, 'llama-gqa'));
  const model = new OrtModel(ckpt.config, ckpt.weights, { provider: 'webgpu' });
  try {
    await model.ready();
    return { available: true, reason: '' };
  } catch (err) {
    return { available: false, reason: (err as Error).message };
  } finally {
    await model.release();
  }
}
