/**
 * A small, dependency-free ONNX model *encoder*: hand-written protobuf wire encoding of the parts of
 * onnx.proto that inference graphs need (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto, OperatorSetIdProto, StringStringEntryProto). It writes bytes that
 * onnxruntime-node loads; it does not parse ONNX files (onnxruntime does that, and reports shapes
 * and types through `session.inputMetadata`).
 *
 * Why hand-written: the npm `onnx-proto` package pulls in protobufjs 6 for ~200 lines of encoding
 * we can own and test. Defaults: IR version 8, default-domain opset 17 (supported by onnxruntime
 * 1.14+), so Gemm/MatMul/Add/Mul/Div/Sub/Sqrt/Relu/Tanh/Sigmoid/Concat/ReduceMean(axes attribute)/
 * Gather/Reshape/... all have their opset-17 signatures.
 *
 * API
 * - `encodeModel(model: OnnxModel): Uint8Array` — the core: a plain-data model description to bytes.
 *   Checks that each initializer's data length matches its dims and that every node input is a
 *   graph input, an initializer, or the output of an earlier node (topological order), throwing
 *   `SkillforgeError('E_ONNX_ENCODE')` otherwise.
 * - `attr.float(x) / attr.int(x) / attr.string(s) / attr.floats([...]) / attr.ints([...]) /
 *   attr.strings([...]) / attr.tensor(t)` — typed node attributes (ONNX distinguishes 1 from 1.0).
 * - `tensor(name, dtype, dims, data)` — an initializer (float32, float64, int32, int64, int8, uint8,
 *   bool); data is any array-like of numbers (bigint accepted for int64).
 * - `OnnxGraphBuilder` — convenience: `input`, `init`, `op` (auto-names outputs), `output`, `model()`.
 *
 * @example
 * ```ts
 * import { OnnxGraphBuilder, attr, encodeModel } from '../core/onnx.js';
 * const g = new OnnxGraphBuilder('logreg');
 * const x = g.input('x', 'float32', ['N', 3]);
 * const w = g.init('w', 'float32', [3, 1], [0.5, -1, 2]);
 * const b = g.init('b', 'float32', [1], [0.1]);
 * const z = g.op('Gemm', [x, w, b], { alpha: attr.float(1) });
 * g.output(g.op('Sigmoid', [z], {}, 'p'), 'float32', ['N', 1]);
 * const bytes = encodeModel(g.model({ metadata: { kind: 'logreg' } }));
 * // const session = await InferenceSession.create(bytes);
 * ```
 */
import { SkillforgeError } from './errors.js';

export type OnnxDType = 'float32' | 'float64' | 'int32' | 'int64' | 'int8' | 'uint8' | 'bool' | 'string';

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE_CODE: Readonly<Record<OnnxDType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float64: 11,
};

/** A constant tensor (an initializer or a tensor-valued attribute). Strings are not supported here. */
export interface OnnxTensor {
  name: string;
  dtype: Exclude<OnnxDType, 'string'>;
  dims: readonly number[];
  data: ArrayLike<number> | ArrayLike<bigint>;
}

export type OnnxAttr =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number | bigint }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: OnnxTensor }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'ints'; value: readonly (number | bigint)[] }
  | { type: 'strings'; value: readonly string[] };

/** Typed attribute constructors: ONNX needs to know whether `1` is an INT or a FLOAT. */
export const attr = {
  float: (value: number): OnnxAttr => ({ type: 'float', value }),
  int: (value: number | bigint): OnnxAttr => ({ type: 'int', value }),
  string: (value: string): OnnxAttr => ({ type: 'string', value }),
  tensor: (value: OnnxTensor): OnnxAttr => ({ type: 'tensor', value }),
  floats: (value: readonly number[]): OnnxAttr => ({ type: 'floats', value }),
  ints: (value: readonly (number | bigint)[]): OnnxAttr => ({ type: 'ints', value }),
  strings: (value: readonly string[]): OnnxAttr => ({ type: 'strings', value }),
};

export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, OnnxAttr>;
}

/** A graph input/output/intermediate: element type and shape (number = fixed, string = symbolic, null = unknown). */
export interface OnnxValueInfo {
  name: string;
  dtype: OnnxDType;
  shape?: readonly (number | string | null)[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  initializers?: readonly OnnxTensor[];
  valueInfo?: readonly OnnxValueInfo[];
  doc?: string;
}

export interface OnnxModel {
  graph: OnnxGraph;
  /** Default-domain opset version (default 17). */
  opset?: number;
  /** IR version (default 8, which opset 17 requires at least). */
  irVersion?: number;
  /** Extra operator sets, e.g. { domain: 'com.microsoft', version: 1 }. */
  extraOpsets?: readonly { domain: string; version: number }[];
  producerName?: string;
  producerVersion?: string;
  modelVersion?: number;
  doc?: string;
  /** Free-form key/value metadata (ModelProto.metadata_props), readable by other tools. */
  metadata?: Record<string, string>;
}

/** Build a constant tensor; `data` length must equal the product of `dims`. */
export function tensor(
  name: string,
  dtype: OnnxTensor['dtype'],
  dims: readonly number[],
  data: ArrayLike<number> | ArrayLike<bigint>,
): OnnxTensor {
  return { name, dtype, dims, data };
}

// ---------------------------------------------------------------------------------------------
// Protobuf wire format. Wire types: 0 varint, 2 length-delimited, 5 fixed32.

const utf8 = new TextEncoder();

function varint(v: number | bigint): Uint8Array {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 31) {
    const out: number[] = [];
    let n = v;
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return Uint8Array.from(out);
  }
  if (typeof v === 'number' && !Number.isInteger(v)) {
    throw new SkillforgeError('E_ONNX_ENCODE', `integer field got non-integer ${v}`);
  }
  // Negative int64 values are encoded as their 64-bit two's complement (10 bytes).
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return Uint8Array.from(out);
}

class Message {
  private parts: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }
  private tag(field: number, wire: number): void {
    this.push(varint((field << 3) | wire));
  }
  int(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.push(varint(v));
    return this;
  }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.push(varint(b.length));
    this.push(b);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }
  message(field: number, m: Message): this {
    return this.bytes(field, m.finish());
  }
  float(field: number, f: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, f, true);
    this.push(b);
    return this;
  }
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const body = new Message();
    for (const v of values) body.push(varint(v));
    return this.bytes(field, body.finish());
  }
  packedFloats(field: number, values: readonly number[]): this {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
    return this.bytes(field, b);
  }
  finish(): Uint8Array {
    if (this.parts.length === 1) return this.parts[0]!;
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    this.parts = [out];
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// onnx.proto messages (field numbers from onnx/onnx.proto).

function rawData(t: OnnxTensor): Uint8Array {
  const n = t.data.length;
  const width = { float32: 4, float64: 8, int32: 4, int64: 8, int8: 1, uint8: 1, bool: 1 }[t.dtype];
  const b = new Uint8Array(n * width);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < n; i++) {
    const v = t.data[i]!;
    switch (t.dtype) {
      case 'float32':
        dv.setFloat32(i * 4, Number(v), true);
        break;
      case 'float64':
        dv.setFloat64(i * 8, Number(v), true);
        break;
      case 'int32':
        dv.setInt32(i * 4, Number(v), true);
        break;
      case 'int64':
        dv.setBigInt64(i * 8, BigInt(v), true);
        break;
      case 'int8':
        dv.setInt8(i, Number(v));
        break;
      case 'uint8':
        dv.setUint8(i, Number(v));
        break;
      case 'bool':
        dv.setUint8(i, v ? 1 : 0);
        break;
    }
  }
  return b;
}

function tensorProto(t: OnnxTensor): Message {
  const count = t.dims.reduce((a, d) => a * d, 1);
  if (t.dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new SkillforgeError('E_ONNX_ENCODE', `tensor '${t.name}' has invalid dims [${t.dims.join(', ')}]`);
  }
  if (count !== t.data.length) {
    throw new SkillforgeError(
      'E_ONNX_ENCODE',
      `tensor '${t.name}' has ${t.data.length} values but dims [${t.dims.join(', ')}] need ${count}`,
      { hint: 'data is row-major (C order); check the weight matrix orientation' },
    );
  }
  const m = new Message();
  if (t.dims.length) m.packedInts(1, t.dims); // dims
  m.int(2, ONNX_DTYPE_CODE[t.dtype]); // data_type
  m.string(8, t.name); // name
  m.bytes(9, rawData(t)); // raw_data (little-endian)
  return m;
}

const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 } as const;

function attributeProto(name: string, a: OnnxAttr): Message {
  const m = new Message().string(1, name);
  switch (a.type) {
    case 'float':
      m.float(2, a.value);
      break;
    case 'int':
      m.int(3, a.value);
      break;
    case 'string':
      m.string(4, a.value);
      break;
    case 'tensor':
      m.message(5, tensorProto(a.value));
      break;
    case 'floats':
      m.packedFloats(7, a.value);
      break;
    case 'ints':
      m.packedInts(8, a.value);
      break;
    case 'strings':
      for (const s of a.value) m.string(9, s);
      break;
  }
  m.int(20, ATTR_TYPE[a.type]);
  return m;
}

function nodeProto(n: OnnxNode): Message {
  const m = new Message();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  if (n.name) m.string(3, n.name);
  m.string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) m.message(5, attributeProto(k, v));
  if (n.domain) m.string(7, n.domain);
  return m;
}

function valueInfoProto(v: OnnxValueInfo): Message {
  const tensorType = new Message().int(1, ONNX_DTYPE_CODE[v.dtype]);
  if (v.shape) {
    const shape = new Message();
    for (const d of v.shape) {
      const dim = new Message();
      if (typeof d === 'number') dim.int(1, d);
      else if (typeof d === 'string') dim.string(2, d);
      shape.message(1, dim);
    }
    tensorType.message(2, shape);
  }
  const type = new Message().message(1, tensorType);
  return new Message().string(1, v.name).message(2, type);
}

function graphProto(g: OnnxGraph): Message {
  const m = new Message();
  for (const n of g.nodes) m.message(1, nodeProto(n));
  m.string(2, g.name);
  for (const t of g.initializers ?? []) m.message(5, tensorProto(t));
  if (g.doc) m.string(10, g.doc);
  for (const v of g.inputs) m.message(11, valueInfoProto(v));
  for (const v of g.outputs) m.message(12, valueInfoProto(v));
  for (const v of g.valueInfo ?? []) m.message(13, valueInfoProto(v));
  return m;
}

function checkGraph(g: OnnxGraph): void {
  const known = new Set<string>([...g.inputs.map((v) => v.name), ...(g.initializers ?? []).map((t) => t.name)]);
  g.nodes.forEach((n, idx) => {
    for (const i of n.inputs) {
      if (i !== '' && !known.has(i)) {
        throw new SkillforgeError(
          'E_ONNX_ENCODE',
          `node ${idx} (${n.op}${n.name ? ` '${n.name}'` : ''}) reads '${i}', which no input, initializer or earlier node defines`,
          { hint: 'list nodes in topological order and declare every graph input' },
        );
      }
    }
    for (const o of n.outputs) if (o !== '') known.add(o);
  });
  for (const o of g.outputs) {
    if (!known.has(o.name)) {
      throw new SkillforgeError('E_ONNX_ENCODE', `graph output '${o.name}' is never produced`);
    }
  }
}

/** Encode a model description as ONNX protobuf bytes (what `InferenceSession.create(bytes)` takes). */
export function encodeModel(model: OnnxModel): Uint8Array {
  checkGraph(model.graph);
  const m = new Message();
  m.int(1, model.irVersion ?? 8); // ir_version
  m.string(2, model.producerName ?? 'skillforge'); // producer_name
  if (model.producerVersion) m.string(3, model.producerVersion);
  if (model.modelVersion !== undefined) m.int(5, model.modelVersion);
  if (model.doc) m.string(6, model.doc);
  m.message(7, graphProto(model.graph)); // graph
  m.message(8, new Message().string(1, '').int(2, model.opset ?? 17)); // opset_import
  for (const o of model.extraOpsets ?? []) m.message(8, new Message().string(1, o.domain).int(2, o.version));
  for (const [k, v] of Object.entries(model.metadata ?? {})) m.message(14, new Message().string(1, k).string(2, v));
  return m.finish();
}

/**
 * Incremental graph construction with automatic intermediate names. Nodes are appended in call
 * order, which is topological as long as each `op` only uses names returned earlier.
 */
export class OnnxGraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  /** Declare a graph input and return its name. */
  input(name: string, dtype: OnnxDType, shape: readonly (number | string | null)[]): string {
    this.inputs.push({ name, dtype, shape });
    return name;
  }

  /** Add a constant (initializer) and return its name. */
  init(name: string, dtype: OnnxTensor['dtype'], dims: readonly number[], data: ArrayLike<number> | ArrayLike<bigint>): string {
    this.initializers.push(tensor(name, dtype, dims, data));
    return name;
  }

  /** Append a single-output node; returns the output name (`out` or a generated one). */
  op(op: string, inputs: readonly string[], attrs: Record<string, OnnxAttr> = {}, out?: string): string {
    const name = out ?? `${op.toLowerCase()}_${this.counter++}`;
    this.nodes.push({ op, inputs, outputs: [name], attrs, name: `${op}_${this.nodes.length}` });
    return name;
  }

  /** Append a node with several outputs. */
  node(n: OnnxNode): readonly string[] {
    this.nodes.push(n);
    return n.outputs;
  }

  /** Mark a value as a graph output. */
  output(name: string, dtype: OnnxDType, shape: readonly (number | string | null)[]): string {
    this.outputs.push({ name, dtype, shape });
    return name;
  }

  graph(): OnnxGraph {
    return { name: this.name, nodes: this.nodes, inputs: this.inputs, outputs: this.outputs, initializers: this.initializers };
  }

  model(options: Omit<OnnxModel, 'graph'> = {}): OnnxModel {
    return { ...options, graph: this.graph() };
  }
}
