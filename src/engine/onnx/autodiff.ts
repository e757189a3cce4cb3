/**
 * Reverse-mode differentiation of a recorded ONNX graph: every op the model ladder records has its
 * backward rule here, once, written in ONNX ops into the same graph. The gradient graph is generic over
 * the tape rather than a hand-written LLaMA backward (llm.c's way): the ladder is written once over
 * `Ops`, so the backward follows any change to it — a new model family needs no new backward code unless
 * it uses a new op (then this file says so: "no backward rule for X").
 */
import { GraphBuilder, type Sym, type TapeEntry } from './graph.js';
import { broadcastShape } from './onnx-ops.js';

/**
 * The revision of the gradient graphs, part of the cache keys of everything computed from them (importance
 * maps, further pre-training): 2 since 2026-12-02, when the embedding rows' gradient stopped racing over
 * ONNX Runtime's threads (the Gather rule below). Raise it when a rule changes the numbers.
 */
export const GRADIENT_REVISION = 2;

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function reshape(g: GraphBuilder, x: Sym, shape: readonly number[]): Sym {
  return same(x.shape, shape) ? x : g.node('Reshape', [x, g.ints(shape)], shape);
}

const mul = (g: GraphBuilder, a: Sym, b: Sym) => g.node('Mul', [a, b], broadcastShape(a.shape, b.shape));
const sub = (g: GraphBuilder, a: Sym, b: Sym) => g.node('Sub', [a, b], broadcastShape(a.shape, b.shape));
const scalar = (g: GraphBuilder, v: number) => g.constant(Float32Array.of(v), [], 'scalar');
const zeros = (g: GraphBuilder, shape: readonly number[]) => g.node('ConstantOfShape', [g.ints(shape)], shape, {}, 'float32');
const swapLast = (n: number) => [...Array(n).keys()].map((i) => (i === n - 2 ? n - 1 : i === n - 1 ? n - 2 : i));
const transposeLast = (g: GraphBuilder, x: Sym) => g.node('Transpose', [x], [...x.shape.slice(0, -2), x.shape.at(-1)!, x.shape.at(-2)!], { perm: swapLast(x.shape.length) });
const sumLast = (g: GraphBuilder, x: Sym) => g.node('ReduceSum', [x, g.ints([-1])], [...x.shape.slice(0, -1), 1], { keepdims: 1 });

/** Sums dy (the broadcast result's shape) back down to `shape`. */
function unbroadcast(g: GraphBuilder, dy: Sym, shape: readonly number[]): Sym {
  if (same(dy.shape, shape)) return dy;
  const n = dy.shape.length;
  const padded = [...Array<number>(n - shape.length).fill(1), ...shape];
  const axes = padded.flatMap((d, i) => (d === 1 && dy.shape[i] !== 1 ? [i] : []));
  const summed = axes.length === 0 ? dy : g.node('ReduceSum', [dy, g.ints(axes)], padded, { keepdims: 1 });
  return reshape(g, summed, shape);
}

/** dL/d(input i) from dL/d(output), for one recorded node; null where an input gets no gradient. */
type Rule = (g: GraphBuilder, e: TapeEntry, dy: Sym) => (Sym | null)[];

const input = (e: TapeEntry, i: number): Sym => e.inputs[i]!;

const RULES: Record<string, Rule> = {
  Add: (g, e, dy) => [unbroadcast(g, dy, input(e, 0).shape), unbroadcast(g, dy, input(e, 1).shape)],
  Sub: (g, e, dy) => [unbroadcast(g, dy, input(e, 0).shape), unbroadcast(g, g.node('Neg', [dy], dy.shape), input(e, 1).shape)],
  Mul: (g, e, dy) => [unbroadcast(g, mul(g, dy, input(e, 1)), input(e, 0).shape), unbroadcast(g, mul(g, dy, input(e, 0)), input(e, 1).shape)],
  Neg: (g, _e, dy) => [g.node('Neg', [dy], dy.shape)],
  // y = √x: dx = dy / (2y)
  Sqrt: (g, e, dy) => [g.node('Div', [mul(g, dy, scalar(g, 0.5)), e.output], dy.shape)],
  // y = 1/x: dx = −dy·y²
  Reciprocal: (g, e, dy) => [g.node('Neg', [mul(g, mul(g, dy, e.output), e.output)], dy.shape)],
  // y = σ(x): dx = dy·y·(1 − y)
  Sigmoid: (g, e, dy) => [mul(g, mul(g, dy, e.output), sub(g, scalar(g, 1), e.output))],
  // y = tanh(x): dx = dy·(1 − y²)
  Tanh: (g, e, dy) => [mul(g, dy, sub(g, scalar(g, 1), mul(g, e.output, e.output)))],
  ReduceMean(g, e, dy) {
    const x = input(e, 0);
    if (e.attrs.keepdims !== 1 || JSON.stringify(e.attrs.axes) !== '[-1]') throw new Error('backward of ReduceMean: only axes [-1] with keepdims');
    return [g.node('Expand', [mul(g, dy, scalar(g, 1 / x.shape.at(-1)!)), g.ints(x.shape)], x.shape)];
  },
  ReduceSum(g, e, dy) {
    const x = input(e, 0);
    const axes = g.intsOf(input(e, 1)).map((a) => (a < 0 ? a + x.shape.length : a));
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    return [g.node('Expand', [reshape(g, dy, kept), g.ints(x.shape)], x.shape), null];
  },
  // y = softmax(x): dx = y·(dy − Σ dy·y)
  Softmax: (g, e, dy) => [mul(g, e.output, sub(g, dy, sumLast(g, mul(g, dy, e.output))))],
  // y = log softmax(x): dx = dy − exp(y)·Σ dy
  LogSoftmax: (g, e, dy) => [sub(g, dy, mul(g, g.node('Exp', [e.output], e.output.shape), sumLast(g, dy)))],
  Reshape: (g, e, dy) => [reshape(g, dy, input(e, 0).shape), null],
  Transpose(g, e, dy) {
    const perm = e.attrs.perm as readonly number[];
    const inverse: number[] = [];
    perm.forEach((p, i) => (inverse[p] = i));
    return [g.node('Transpose', [dy], input(e, 0).shape, { perm: inverse })];
  },
  Tile(g, e, dy) {
    // Tiles are outer: along axis k, output index t·d_k + j holds input index j. Split each axis into
    // [reps_k, d_k] and sum the reps axes.
    const x = input(e, 0);
    const reps = g.intsOf(input(e, 1));
    const split = x.shape.flatMap((d, k) => [reps[k]!, d]);
    const axes = x.shape.map((_, k) => 2 * k);
    const summed = g.node('ReduceSum', [reshape(g, dy, split), g.ints(axes)], x.shape, { keepdims: 0 });
    return [summed, null];
  },
  Slice(g, e, dy) {
    const x = input(e, 0);
    const starts = g.intsOf(input(e, 1));
    const axes = g.intsOf(input(e, 3));
    const before = x.shape.map(() => 0);
    const after = x.shape.map(() => 0);
    axes.forEach((a, i) => {
      before[a] = starts[i]!;
      after[a] = x.shape[a]! - starts[i]! - dy.shape[a]!;
    });
    return [g.node('Pad', [dy, g.ints([...before, ...after])], x.shape), null, null, null];
  },
  Concat(g, e, dy) {
    if (e.attrs.axis !== -1) throw new Error('backward of Concat: only axis -1');
    let offset = 0;
    return e.inputs.map((x) => {
      const len = x!.shape.at(-1)!;
      const part = g.node('Slice', [dy, g.ints([offset]), g.ints([offset + len]), g.ints([-1])], x!.shape);
      offset += len;
      return part;
    });
  },
  Gather(g, e, dy) {
    // Rows of the table: dtable = onehot(ids)ᵀ · dy, each row the sum of dy over the positions that picked it
    // (an id may repeat). Not ScatterND with reduction 'add': ONNX Runtime's CPU kernel spreads the updates
    // over its threads, so repeated ids race and the sums change from run to run.
    const table = input(e, 0);
    const ids = input(e, 1);
    if (e.attrs.axis !== 0 || ids.shape.length !== 1) throw new Error('backward of Gather: only rows of a table by a vector of ids');
    const rows = table.shape[0]!;
    const ids64 = g.node('Cast', [ids], ids.shape, { to: 7 }, 'int64'); // ONNX Runtime's CPU OneHot: int64 ids and depth
    const onehot = g.node('OneHot', [ids64, g.ints([rows]), g.constant(Float32Array.of(0, 1), [2], 'onehot-values')], [ids.shape[0]!, rows], { axis: -1 }, 'float32');
    return [g.node('Gemm', [onehot, dy], table.shape, { transA: 1 }), null];
  },
  GatherElements(g, e, dy) {
    const x = input(e, 0);
    return [g.node('ScatterElements', [zeros(g, x.shape), input(e, 1), dy], x.shape, { axis: e.attrs.axis as number, reduction: { string: 'add' } }), null];
  },
  Gemm(g, e, dy) {
    if (e.attrs.transA === 1 || e.inputs.length > 2) throw new Error('backward of Gemm: only A·B or A·Bᵀ without C');
    const [a, b] = [input(e, 0), input(e, 1)];
    if (e.attrs.transB === 1) {
      // y = a·bᵀ: da = dy·b, db = dyᵀ·a
      return [g.node('Gemm', [dy, b], a.shape), g.node('Gemm', [dy, a], b.shape, { transA: 1 })];
    }
    // y = a·b: da = dy·bᵀ, db = aᵀ·dy
    return [g.node('Gemm', [dy, b], a.shape, { transB: 1 }), g.node('Gemm', [a, dy], b.shape, { transA: 1 })];
  },
  MatMul(g, e, dy) {
    const [a, b] = [input(e, 0), input(e, 1)];
    const da = g.node('MatMul', [dy, transposeLast(g, b)], [...dy.shape.slice(0, -1), a.shape.at(-1)!]);
    const db = g.node('MatMul', [transposeLast(g, a), dy], [...dy.shape.slice(0, -2), b.shape.at(-2)!, dy.shape.at(-1)!]);
    return [unbroadcast(g, da, a.shape), unbroadcast(g, db, b.shape)];
  },
};

/**
 * Appends to `g` the gradient of the scalar `loss` with respect to each value of `wrt` (graph inputs, in
 * practice the weights), by reverse-mode differentiation of the nodes recorded so far. Returns the
 * gradient values by name (a value the loss does not depend on gets zeros).
 * @throws Error naming an op that has no backward rule.
 */
export function gradients(g: GraphBuilder, loss: Sym, wrt: readonly Sym[]): Map<string, Sym> {
  if (loss.shape.length !== 0) throw new Error(`gradients: the loss must be a scalar (got shape [${loss.shape}])`);
  const tape = [...g.tape];
  const grads = new Map<string, Sym>([[loss.name, scalar(g, 1)]]);
  for (let k = tape.length - 1; k >= 0; k--) {
    const e = tape[k]!;
    const dy = grads.get(e.output.name);
    if (dy === undefined) continue;
    const rule = RULES[e.op];
    if (rule === undefined) throw new Error(`gradients: no backward rule for ${e.op}`);
    rule(g, e, dy).forEach((dx, i) => {
      const x = e.inputs[i];
      if (dx === null || dx === undefined || x === null || x === undefined || x.type !== 'float32') return;
      const prev = grads.get(x.name);
      grads.set(x.name, prev === undefined ? dx : g.node('Add', [prev, dx], x.shape));
    });
  }
  return new Map(wrt.map((w) => [w.name, grads.get(w.name) ?? zeros(g, w.shape)]));
}
