import * as tf from '@tensorflow/tfjs';
import { BackendError } from '../errors.js';
import { startCpu } from './internals/start-cpu.js';
import { startTensorflow } from './internals/start-tensorflow.js';
import { startWasm } from './internals/start-wasm.js';
import { startWebgpu } from './internals/start-webgpu.js';

import type { BackendInfo, BackendName } from './types.js';

export type { BackendInfo, BackendName } from './types.js';

const STARTERS: Record<BackendInfo['name'], () => Promise<BackendInfo>> = {
  tensorflow: startTensorflow,
  wasm: startWasm,
  cpu: startCpu,
  webgpu: startWebgpu,
};

/** The environment variable {@link initBackend} reads when called without a name. */
export const BACKEND_ENV_VAR = 'REGIONS_BACKEND';

let active: { requested: BackendName; info: BackendInfo } | undefined;
/** Backend switches run one at a time: tfjs's engine has a single current backend. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Makes `requested` tfjs's current backend and says what runs. Defaults to `$REGIONS_BACKEND`, else
 * `auto`. Always ends with `tf.setBackend` + `tf.ready`, so importing a backend package (which can
 * raise its priority) never decides. Asking again for the active backend returns at once; asking for
 * another switches. On failure it throws a {@link BackendError} and the previous backend stays current.
 * `tensorflow` never falls back silently: it throws, naming each package tried and why it failed.
 */
export async function initBackend(requested?: BackendName): Promise<BackendInfo> {
  const name = resolveName(requested);
  const run = queue.then(() => start(name));
  queue = run.catch(() => undefined);
  return run;
}

/** What the last successful {@link initBackend} started, or undefined if tfjs has since switched away. */
/** The backend tfjs is on now, by tfjs's own name (set through {@link initBackend} or tf.setBackend). */
export function tfjsBackendName(): string {
  return tf.getBackend();
}

export function currentBackend(): BackendInfo | undefined {
  return active !== undefined && tf.getBackend() === active.info.tfBackend ? active.info : undefined;
}

async function start(requested: BackendName): Promise<BackendInfo> {
  const current = currentBackend();
  if (current !== undefined && (active?.requested === requested || current.name === requested)) return current;
  const previous = tf.getBackend() as string | undefined;
  try {
    const info = requested === 'auto' ? await startAuto() : await STARTERS[requested]();
    active = { requested, info };
    return info;
  } catch (error) {
    if (previous && tf.getBackend() !== previous) await tf.setBackend(previous);
    throw error;
  }
}

async function startAuto(): Promise<BackendInfo> {
  try {
    return await startTensorflow();
  } catch {
    return startWasm();
  }
}

function resolveName(requested: string | undefined): BackendName {
  const fromEnv = requested === undefined ? process.env[BACKEND_ENV_VAR] : undefined;
  const name = requested ?? (fromEnv || 'auto');
  if (isBackendName(name)) return name;
  const source = requested === undefined ? `${BACKEND_ENV_VAR}='${name}'` : `initBackend('${name}')`;
  throw new BackendError(name, `${source} is not a backend; expected one of ${BACKEND_NAMES.join(', ')}`);
}

const BACKEND_NAMES: readonly BackendName[] = ['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu'];

function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}
