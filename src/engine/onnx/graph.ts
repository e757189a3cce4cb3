/**
 * A small ONNX graph builder: values with static shapes, nodes of the default domain, graph inputs,
 * initializers and outputs, serialized as a ModelProto with `onnx-proto`. Used by ./onnx-ops.ts, which
 * records the model ladder through it.
 */
import onnxProto, { type onnx as P } from 'onnx-proto';

// onnx-proto is CommonJS (a protobufjs static module): its namespace comes as the default export.
const { onnx } = onnxProto;

/** Element types the graphs use. */
export type ValueType = 'float32' | 'int32' | 'int64';

/** A value of the graph: its name and static shape. */
export interface Sym {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: ValueType;
}

/** The opset the graphs are written for (IR version 8; opset 17 has ScatterND/ScatterElements with reduction). */
export const OPSET = 17;
const IR_VERSION = 8;

const ELEM: Record<ValueType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
};

/** Attribute values: a number (int unless `float` is used), a float, a string, or a list of ints. */
export type Attribute = number | { float: number } | { string: string } | readonly number[];

function attribute(name: string, value: Attribute): P.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not an integer (wrap floats as { float })`);
    return { name, type: A.INT, i: value };
  }
  if ('float' in value) return { name, type: A.FLOAT, f: value.float };
  if ('string' in value) return { name, type: A.STRING, s: new TextEncoder().encode(value.string) };
  return { name, type: A.INTS, ints: [...value] };
}

function valueInfo(s: Sym): P.IValueInfoProto {
  return { name: s.name, type: { tensorType: { elemType: ELEM[s.type], shape: { dim: s.shape.map((d) => ({ dimValue: d })) } } } };
}

function bytesOf(data: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** One recorded node: what reverse-mode differentiation (./autodiff.ts) reads back. */
export interface TapeEntry {
  op: string;
  inputs: readonly (Sym | null)[];
  output: Sym;
  attrs: Readonly<Record<string, Attribute>>;
}

/** Builds one graph. Names are made unique; nothing is validated beyond what each method states. */
export class GraphBuilder {
  readonly #nodes: P.INodeProto[] = [];
  readonly #tape: TapeEntry[] = [];
  readonly #inputs: Sym[] = [];
  readonly #outputs: Sym[] = [];
  readonly #initializers: P.ITensorProto[] = [];
  readonly #names = new Set<string>();
  #next = 0;

  #fresh(hint: string): string {
    let name = `${hint}_${this.#next++}`;
    while (this.#names.has(name)) name = `${hint}_${this.#next++}`;
    this.#names.add(name);
    return name;
  }

  /** A graph input with an exact name (a weight's HF name, `ids`). */
  input(name: string, type: ValueType, shape: readonly number[]): Sym {
    if (this.#names.has(name)) throw new Error(`graph value ${name} is defined twice`);
    this.#names.add(name);
    const s: Sym = { name, shape: [...shape], type };
    this.#inputs.push(s);
    return s;
  }

  /** A constant stored in the graph. */
  constant(data: Float32Array | Int32Array | BigInt64Array, shape: readonly number[], hint = 'const'): Sym {
    const type: ValueType = data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : 'int64';
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`constant of shape [${shape}] needs ${size} values, got ${data.length}`);
    const name = this.#fresh(hint);
    this.#initializers.push({ name, dataType: ELEM[type], dims: [...shape], rawData: bytesOf(data) });
    return { name, shape: [...shape], type };
  }

  readonly #intValues = new Map<string, readonly number[]>();

  /** An int64 vector constant (shapes, axes, repeats). */
  ints(values: readonly number[]): Sym {
    const s = this.constant(BigInt64Array.from(values, (v) => BigInt(v)), [values.length], 'ints');
    this.#intValues.set(s.name, [...values]);
    return s;
  }

  /** The values of a constant made by {@link ints} (backward rules read axes, repeats and starts from them). */
  intsOf(s: Sym): readonly number[] {
    const v = this.#intValues.get(s.name);
    if (v === undefined) throw new Error(`${s.name} is not an int constant of this graph`);
    return v;
  }

  /** One node with one output of the given shape and type (default: the first input's type). */
  node(op: string, inputs: readonly (Sym | null)[], shape: readonly number[], attrs: Record<string, Attribute> = {}, type?: ValueType): Sym {
    const name = this.#fresh(op.toLowerCase());
    this.#nodes.push({
      opType: op,
      name: `${name}_node`,
      input: inputs.map((s) => (s === null ? '' : s.name)),
      output: [name],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    const output: Sym = { name, shape: [...shape], type: type ?? inputs[0]!.type };
    this.#tape.push({ op, inputs, output, attrs });
    return output;
  }

  /** Every node made by {@link node}, in order (graph outputs' Identity nodes excluded). */
  get tape(): readonly TapeEntry[] {
    return this.#tape;
  }

  /** Marks a value as a graph output named `name` (through an Identity node). */
  output(value: Sym, name: string): void {
    if (this.#names.has(name)) throw new Error(`graph value ${name} is defined twice`);
    this.#names.add(name);
    this.#nodes.push({ opType: 'Identity', name: `${name}_node`, input: [value.name], output: [name] });
    this.#outputs.push({ name, shape: value.shape, type: value.type });
  }

  /** Graph inputs, in the order declared. */
  get inputs(): readonly Sym[] {
    return this.#inputs;
  }

  get outputs(): readonly Sym[] {
    return this.#outputs;
  }

  /** Nodes so far (for tests and sizes). */
  get nodeCount(): number {
    return this.#nodes.length;
  }

  /**
   * The nodes the outputs depend on, in recorded order, and the initializers they read. A gradient graph records
   * the backward of every node it passes; where it asks for some weights' gradients only (importance in slices),
   * the rest — those weights' gradients, and the backward below the earliest weight asked for — is dropped here
   * rather than left for the runtime to compute and discard.
   */
  #live(): { nodes: P.INodeProto[]; initializers: P.ITensorProto[] } {
    const needed = new Set(this.#outputs.map((o) => o.name));
    const nodes: P.INodeProto[] = [];
    for (let k = this.#nodes.length - 1; k >= 0; k--) {
      const node = this.#nodes[k]!;
      if (!node.output!.some((o) => needed.has(o))) continue;
      nodes.push(node);
      for (const i of node.input!) if (i !== '') needed.add(i);
    }
    return { nodes: nodes.reverse(), initializers: this.#initializers.filter((t) => needed.has(t.name!)) };
  }

  /** The serialized ModelProto, its dead nodes dropped (see {@link #live}). */
  toBytes(graphName: string): Uint8Array {
    const { nodes, initializers } = this.#live();
    const model: P.IModelProto = {
      irVersion: IR_VERSION,
      producerName: 'vitest-regions',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: graphName,
        node: nodes,
        input: this.#inputs.map(valueInfo),
        output: this.#outputs.map(valueInfo),
        initializer: initializers,
      },
    };
    return onnx.ModelProto.encode(model).finish();
  }
}
