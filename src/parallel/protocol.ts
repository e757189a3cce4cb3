import type { ModelConfig } from '../checkpoint/config.js';
import type { AdamOptions } from '../train/adam.js';
import type { LossObjective, WindowNll } from '../model/model.js';

/** Where each weight sits in the flat gradient buffers shared between the pool and its workers. */
export interface FlatLayout {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** Messages the pool sends to a worker. Every request carries an id echoed in the reply. */
export type WorkerRequest =
  | {
      op: 'init';
      backend: string;
      config: ModelConfig;
      layout: FlatLayout[];
      weights: Float32Array[];
      /** This worker's gradient output (float32, layout order). */
      grads: SharedArrayBuffer;
      /** The summed gradient every worker reads in `apply`. */
      sum: SharedArrayBuffer;
    }
  | { op: 'grads'; windows: number[][]; objective: LossObjective; scale: number; batchSize: number }
  | { op: 'nll'; windows: number[][]; batchSize: number }
  | { op: 'apply'; adam: AdamOptions; lr: number; gradScale: number }
  | { op: 'masks'; masks: { name: string; data: Uint8Array }[] }
  | { op: 'setWeights'; weights: { name: string; data: Float32Array }[] }
  | { op: 'getWeights' }
  | { op: 'getAdam' }
  | { op: 'setAdam'; adam: AdamOptions; step: number; m: Float32Array[]; v: Float32Array[] };

/** A worker's replies. */
export type WorkerReply =
  | { op: 'ready'; backend: string; device: string }
  | { op: 'grads'; lossSum: number; tokens: number }
  | { op: 'nll'; windows: WindowNll[] }
  | { op: 'weights'; weights: Float32Array[] }
  | { op: 'adam'; step: number; m: Float32Array[]; v: Float32Array[] }
  | { op: 'done' }
  | { op: 'error'; message: string; stack?: string };

export type Envelope<T> = { id: number } & T;
