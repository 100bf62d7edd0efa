/**
 * GraphDef nodes in the JSON form that tfjs graph models keep in model.json `modelTopology.node`
 * (the protobuf JSON mapping: int64 as strings, bytes as base64).
 */

/** Weight dtypes this library writes; tfjs graph models need nothing else for im2txt-style graphs. */
export type DType = 'float32' | 'int32';

const TF_DTYPE: Record<DType, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32' };

export interface TensorShapeJson {
  dim?: { size: string }[];
  unknownRank?: boolean;
}

export type AttrValue =
  | { type: string }
  | { i: string }
  | { f: number }
  | { b: boolean }
  | { s: string }
  | { shape: TensorShapeJson }
  | { tensor: { dtype: string; tensorShape: TensorShapeJson } }
  | { list: { i?: string[]; f?: number[]; b?: boolean[]; s?: string[]; type?: string[]; shape?: TensorShapeJson[] } };

export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttrValue>;
  device?: string;
}

/** A weight tensor: the value of the Const node of the same name. Data is row-major. */
export type Weight =
  | { name: string; dtype: 'float32'; shape: number[]; data: Float32Array }
  | { name: string; dtype: 'int32'; shape: number[]; data: Int32Array };

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function tensorShape(shape: readonly number[]): TensorShapeJson {
  // A scalar's shape has no `dim` at all, as TensorFlow's JSON export writes it.
  return shape.length === 0 ? {} : { dim: shape.map((size) => ({ size: String(size) })) };
}

/** Encoders for node attributes (`attr`), e.g. `attr.int(2)` → `{"i":"2"}`. */
export const attr = {
  dtype: (dtype: DType): AttrValue => ({ type: TF_DTYPE[dtype] }),
  int: (value: number): AttrValue => ({ i: String(value) }),
  ints: (values: readonly number[]): AttrValue => ({ list: { i: values.map(String) } }),
  float: (value: number): AttrValue => ({ f: value }),
  bool: (value: boolean): AttrValue => ({ b: value }),
  string: (value: string): AttrValue => ({ s: base64(value) }),
  strings: (values: readonly string[]): AttrValue => ({ list: { s: values.map(base64) } }),
  /** -1 marks an unknown dimension. */
  shape: (shape: readonly number[]): AttrValue => ({ shape: tensorShape(shape) }),
};

export function placeholderNode(name: string, dtype: DType, shape: readonly number[]): GraphNode {
  return { name, op: 'Placeholder', attr: { dtype: attr.dtype(dtype), shape: attr.shape(shape) } };
}

/** The Const node whose value tfjs takes from the weights manifest entry of the same name. */
export function constNode(weight: Weight): GraphNode {
  return {
    name: weight.name,
    op: 'Const',
    attr: {
      dtype: attr.dtype(weight.dtype),
      value: { tensor: { dtype: TF_DTYPE[weight.dtype], tensorShape: tensorShape(weight.shape) } },
    },
  };
}

/** An operation node; an input names a node, or `node:k` for its k-th output. */
export function opNode(name: string, op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): GraphNode {
  return { name, op, input: [...inputs], attr: attrs };
}

/** Everything a graph-model package holds, with weights as plain (dequantised) arrays. */
export interface GraphModelSpec {
  nodes: GraphNode[];
  weights: Weight[];
  signature?: Record<string, unknown>;
  userDefinedMetadata?: Record<string, unknown>;
  generatedBy?: string;
  convertedBy?: string;
  /** Passed through unchanged from a package that was read (GraphDef `versions` and `library`). */
  versions?: Record<string, unknown>;
  library?: Record<string, unknown>;
}

/**
 * Collects nodes and weights, refusing duplicate names. Methods return the node name so calls nest:
 * `g.op('y', 'Tanh', [g.op('x', 'MatMul', [a, b])])`.
 */
export class GraphBuilder {
  private readonly nodes: GraphNode[];
  private readonly weights: Weight[];
  private readonly names = new Set<string>();

  /** Start empty, or from an existing graph (e.g. one returned by readGraphModel) to append to it. */
  constructor(private readonly base: Omit<GraphModelSpec, 'nodes' | 'weights'> & Partial<GraphModelSpec> = {}) {
    this.nodes = [...(base.nodes ?? [])];
    this.weights = [...(base.weights ?? [])];
    for (const node of this.nodes) this.names.add(node.name);
  }

  add(node: GraphNode): string {
    if (this.names.has(node.name)) throw new Error(`graph already has a node named "${node.name}"`);
    this.names.add(node.name);
    this.nodes.push(node);
    return node.name;
  }

  placeholder(name: string, dtype: DType, shape: readonly number[]): string {
    return this.add(placeholderNode(name, dtype, shape));
  }

  constant(weight: Weight): string {
    const expected = weight.shape.reduce((a, b) => a * b, 1);
    if (weight.data.length !== expected) {
      throw new Error(`weight "${weight.name}" has ${weight.data.length} values, shape [${weight.shape}] needs ${expected}`);
    }
    this.add(constNode(weight));
    this.weights.push(weight);
    return weight.name;
  }

  floatConstant(name: string, shape: readonly number[], values: ArrayLike<number>): string {
    return this.constant({ name, dtype: 'float32', shape: [...shape], data: Float32Array.from(values) });
  }

  intConstant(name: string, shape: readonly number[], values: ArrayLike<number>): string {
    return this.constant({ name, dtype: 'int32', shape: [...shape], data: Int32Array.from(values) });
  }

  op(name: string, op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    return this.add(opNode(name, op, inputs, attrs));
  }

  build(extra: Pick<GraphModelSpec, 'signature' | 'userDefinedMetadata'> = {}): GraphModelSpec {
    return { ...this.base, ...extra, nodes: [...this.nodes], weights: [...this.weights] };
  }
}
