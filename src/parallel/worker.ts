/**
 * A pool worker: its own tfjs instance holding a replica of the model. It computes gradients and NLL on
 * the windows it is sent and applies the same optimizer update as every other worker, so replicas stay
 * bit-identical without copying weights around.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { batchWindows } from '../corpus/windows.js';
import { LlamaModel, type WindowNll } from '../model/model.js';
import { MaskedAdam, type AdamState } from '../train/adam.js';
import type { Envelope, FlatLayout, WorkerReply, WorkerRequest } from './protocol.js';

let model: LlamaModel | undefined;
let layout: FlatLayout[] = [];
let gradOut: Float32Array | undefined;
let gradSum: Float32Array | undefined;
let adam: MaskedAdam | undefined;
const masks = new Map<string, tf.Tensor>();

function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('pool worker used before init');
  return value;
}

async function handle(req: WorkerRequest): Promise<WorkerReply> {
  switch (req.op) {
    case 'init': {
      const { initBackend } = await import('../backend/select.js');
      const info = await initBackend(req.backend as never);
      layout = req.layout;
      gradOut = new Float32Array(req.grads);
      gradSum = new Float32Array(req.sum);
      const weights = new Map(layout.map((l, k) => [l.name, { shape: l.shape, data: req.weights[k]! }]));
      model = LlamaModel.fromWeights(req.config, weights);
      return { op: 'ready', backend: info.name, device: info.device };
    }
    case 'grads': {
      const m = need(model);
      const out = need(gradOut);
      out.fill(0);
      let lossSum = 0;
      let tokens = 0;
      for (const batch of batchWindows(req.windows, req.batchSize)) {
        const r = await m.lossAndGrads(batch, req.objective);
        // 'mean': loss is the batch mean, so loss × tokens is the NLL sum; the pool's scale turns it into
        // the global objective. 'sum-of-window-means': loss is already the sum over this batch's windows.
        const weight = req.objective === 'mean' ? r.tokens : 1;
        lossSum += r.loss * weight;
        tokens += r.tokens;
        for (const l of layout) {
          const g = r.grads.get(l.name)!;
          const data = await g.data();
          const scale = req.scale * weight;
          for (let i = 0; i < l.size; i++) out[l.offset + i]! += data[i]! * scale;
          g.dispose();
        }
      }
      return { op: 'grads', lossSum, tokens };
    }
    case 'nll': {
      const m = need(model);
      const windows: WindowNll[] = [];
      for (const batch of batchWindows(req.windows, req.batchSize)) windows.push(...(await m.windowNll(batch)));
      return { op: 'nll', windows };
    }
    case 'apply': {
      const m = need(model);
      const sum = need(gradSum);
      adam ??= new MaskedAdam(req.adam);
      const grads = new Map<string, tf.Tensor>();
      for (const l of layout) {
        const g = tf.tensor(sum.subarray(l.offset, l.offset + l.size), l.shape);
        grads.set(l.name, req.gradScale === 1 ? g : tf.tidy(() => tf.mul(g, req.gradScale)));
        if (req.gradScale !== 1) g.dispose();
      }
      try {
        adam.apply(m, grads, masks.size > 0 ? masks : undefined, req.lr);
      } finally {
        for (const g of grads.values()) g.dispose();
      }
      return { op: 'done' };
    }
    case 'masks': {
      for (const t of masks.values()) t.dispose();
      masks.clear();
      for (const { name, data } of req.masks) {
        const l = layout.find((x) => x.name === name);
        if (l === undefined) throw new Error(`mask for unknown weight ${name}`);
        masks.set(name, tf.tensor(data, l.shape, 'bool'));
      }
      return { op: 'done' };
    }
    case 'setWeights': {
      const m = need(model);
      for (const { name, data } of req.weights) {
        m.swapWeight(name, tf.tensor(data, m.weight(name).shape)).dispose();
      }
      return { op: 'done' };
    }
    case 'getWeights': {
      const m = need(model);
      const weights: Float32Array[] = [];
      for (const l of layout) weights.push((await m.weight(l.name).data()) as Float32Array);
      return { op: 'weights', weights };
    }
    case 'getAdam': {
      const state: AdamState = adam ? await adam.state() : { step: 0, m: new Map(), v: new Map() };
      const zeros = (l: FlatLayout) => new Float32Array(l.size);
      return {
        op: 'adam',
        step: state.step,
        m: layout.map((l) => state.m.get(l.name) ?? zeros(l)),
        v: layout.map((l) => state.v.get(l.name) ?? zeros(l)),
      };
    }
    case 'setAdam': {
      adam?.dispose();
      adam = new MaskedAdam(req.adam);
      adam.load(need(model), {
        step: req.step,
        m: new Map(layout.map((l, k) => [l.name, req.m[k]!])),
        v: new Map(layout.map((l, k) => [l.name, req.v[k]!])),
      });
      return { op: 'done' };
    }
  }
}

parentPort!.on('message', (msg: Envelope<WorkerRequest>) => {
  void (async () => {
    let reply: WorkerReply;
    try {
      reply = await handle(msg);
    } catch (err) {
      const e = err as Error;
      reply = { op: 'error', message: e.message, stack: e.stack };
    }
    parentPort!.postMessage({ id: msg.id, ...reply });
  })();
});
