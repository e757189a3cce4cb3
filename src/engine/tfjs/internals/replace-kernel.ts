import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';

/**
 * Puts `config` in tfjs's public kernel registry in place of whatever is registered for the same
 * kernel and backend. Idempotent: when `config.kernelFunc` is already the registered one, nothing
 * changes. Returns the config it replaced (undefined when there was none or it was already ours).
 */
export function replaceKernel(config: KernelConfig): KernelConfig | undefined {
  const current = tf.getKernel(config.kernelName, config.backendName) as KernelConfig | undefined;
  if (current?.kernelFunc === config.kernelFunc) return undefined;
  if (current !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
  return current;
}
