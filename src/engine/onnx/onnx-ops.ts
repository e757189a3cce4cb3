/**
 * {@link Ops} that record ONNX nodes instead of computing: running the model ladder (../../model/) with
 * these builds its graph. Weights become graph inputs on first use (fed from the host arrays at every
 * run, so editing a weight never rebuilds a session); host constants become initializers.
 */
import type { ObservationOps } from '../../model/observations.js';
import type { Ops } from '../../model/ops.js';
import { GraphBuilder, type Sym } from './graph.js';

/** numpy broadcasting of two shapes. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(Math.max(x, y));
  }
  return out;
}

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** Ops over a graph builder; `weightShapes` are the weights that may become inputs (HF name → shape). */
export function onnxOps(g: GraphBuilder, weightShapes: ReadonlyMap<string, readonly number[]>): Ops<Sym> {
  const weights = new Map<string, Sym>();
  const scalars = new Map<number, Sym>();
  const scalar = (v: number) => {
    let s = scalars.get(v);
    if (s === undefined) scalars.set(v, (s = g.constant(Float32Array.of(v), [], 'scalar')));
    return s;
  };
  const binary = (op: string) => (a: Sym, b: Sym) => g.node(op, [a, b], broadcastShape(a.shape, b.shape));
  const swapLast = (shape: readonly number[]) => [...shape.slice(0, -2), shape.at(-1)!, shape.at(-2)!];

  return {
    weight(name) {
      let w = weights.get(name);
      if (w === undefined) {
        const shape = weightShapes.get(name);
        if (shape === undefined) return undefined;
        weights.set(name, (w = g.input(name, 'float32', shape)));
      }
      return w;
    },
    constant: (data, shape) => g.constant(data, shape),
    shape: (x) => x.shape,

    matMul(a, b, transposeB) {
      const bShape = transposeB ? swapLast(b.shape) : b.shape;
      if (a.shape.at(-1) !== bShape.at(-2)) throw new Error(`matMul: [${a.shape}]·[${bShape}] do not chain`);
      const lead = broadcastShape(a.shape.slice(0, -2), bShape.slice(0, -2));
      const shape = [...lead, a.shape.at(-2)!, bShape.at(-1)!];
      // A 2-D product with a transposed weight is Gemm(transB): no transposed copy of the weight per run.
      if (a.shape.length === 2 && b.shape.length === 2) return g.node('Gemm', [a, b], shape, transposeB ? { transB: 1 } : {});
      const right = transposeB ? g.node('Transpose', [b], bShape, { perm: swapLast([...b.shape.keys()]) }) : b;
      return g.node('MatMul', [a, right], shape);
    },
    add: binary('Add'),
    mul: binary('Mul'),
    mulScalar: (x, s) => g.node('Mul', [x, scalar(s)], x.shape),
    addScalar: (x, s) => g.node('Add', [x, scalar(s)], x.shape),
    neg: (x) => g.node('Neg', [x], x.shape),
    square: (x) => g.node('Mul', [x, x], x.shape),
    rsqrt: (x) => g.node('Reciprocal', [g.node('Sqrt', [x], x.shape)], x.shape),
    sigmoid: (x) => g.node('Sigmoid', [x], x.shape),
    tanh: (x) => g.node('Tanh', [x], x.shape),
    meanLast: (x) => g.node('ReduceMean', [x], [...x.shape.slice(0, -1), 1], { axes: [-1], keepdims: 1 }),
    softmaxLast: (x) => g.node('Softmax', [x], x.shape, { axis: -1 }),
    logSoftmaxLast: (x) => g.node('LogSoftmax', [x], x.shape, { axis: -1 }),

    reshape(x, shape) {
      if (size(shape) !== size(x.shape)) throw new Error(`reshape: [${x.shape}] has ${size(x.shape)} values, [${shape}] needs ${size(shape)}`);
      return g.node('Reshape', [x, g.ints(shape)], shape);
    },
    transpose: (x, perm) => g.node('Transpose', [x], perm.map((p) => x.shape[p]!), { perm }),
    tile: (x, reps) => g.node('Tile', [x, g.ints(reps)], x.shape.map((d, i) => d * reps[i]!)),
    slice(x, begin, sizes) {
      const axes = begin.map((_, i) => i).filter((i) => begin[i] !== 0 || sizes[i] !== x.shape[i]);
      if (axes.length === 0) return x;
      const starts = g.ints(axes.map((i) => begin[i]!));
      const ends = g.ints(axes.map((i) => begin[i]! + sizes[i]!));
      return g.node('Slice', [x, starts, ends, g.ints(axes)], sizes);
    },
    concatLast(xs) {
      const last = xs.reduce((n, x) => n + x.shape.at(-1)!, 0);
      return g.node('Concat', xs, [...xs[0]!.shape.slice(0, -1), last], { axis: -1 });
    },
    gatherRows: (table, ids) => g.node('Gather', [table, ids], [...ids.shape, table.shape[1]!], { axis: 0 }),
    pick(x, ids) {
      const n = ids.shape[0]!;
      const column = g.node('Reshape', [ids, g.ints([n, 1])], [n, 1]);
      const picked = g.node('GatherElements', [x, column], [n, 1], { axis: 1 });
      return g.node('Reshape', [picked, g.ints([n])], [n]);
    },
  };
}

/** {@link onnxOps} with the reductions the observations (../../model/observations.ts) record. */
export function onnxObservationOps(g: GraphBuilder, weightShapes: ReadonlyMap<string, readonly number[]>): ObservationOps<Sym> {
  return {
    ...onnxOps(g, weightShapes),
    abs: (x) => g.node('Abs', [x], x.shape),
    maxOver: (x, axes) => g.node('ReduceMax', [x], x.shape.filter((_, i) => !axes.includes(i)), { axes: [...axes], keepdims: 0 }),
    sumRows: (x) => g.node('ReduceSum', [x, g.ints([0])], x.shape.slice(1), { keepdims: 0 }),
    // Sign(Relu(x)): 1 where x > 0, 0 elsewhere.
    positive: (x) => g.node('Sign', [g.node('Relu', [x], x.shape)], x.shape),
    concatFirst: (xs) => g.node('Concat', xs, [xs.reduce((n, x) => n + x.shape[0]!, 0), ...xs[0]!.shape.slice(1)], { axis: 0 }),
    zeros: (shape) => g.constant(new Float32Array(size(shape)), shape),
  };
}
