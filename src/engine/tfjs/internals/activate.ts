import * as tf from '@tensorflow/tfjs';
import { BackendError } from '../../errors.js';

/**
 * `tf.setBackend(tfBackend)` then `tf.ready()`, turning tfjs's quiet `false` (it only logs a warning)
 * into a {@link BackendError} for `requested`.
 */
export async function activate(requested: string, tfBackend: string): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(tfBackend);
    await tf.ready();
  } catch (error) {
    throw new BackendError(requested, `tf.setBackend('${tfBackend}') failed: ${String(error)}`, { cause: error });
  }
  if (!ok) {
    throw new BackendError(requested, `tf.setBackend('${tfBackend}') failed (tfjs logged the reason above)`);
  }
}
