import { fromFloat16Bits } from '../graph/float16';
import type { DataTypeName, NodeDef, TensorShape, TensorValue } from './graphdef';

/** The dtypes tfjs tensors can hold; TF's wider or narrower types are widened or narrowed to these. */
export type TfjsDtype = 'float32' | 'int32' | 'bool';

export interface DecodedTensor {
  dtype: TfjsDtype;
  shape: number[];
  values: Float32Array | Int32Array | Uint8Array;
}

const TFJS_DTYPE: Record<string, TfjsDtype> = {
  DT_FLOAT: 'float32',
  DT_HALF: 'float32',
  DT_DOUBLE: 'float32',
  DT_BFLOAT16: 'float32',
  DT_INT32: 'int32',
  DT_INT64: 'int32',
  DT_INT16: 'int32',
  DT_INT8: 'int32',
  DT_UINT8: 'int32',
  DT_UINT16: 'int32',
  DT_BOOL: 'bool',
};

/** The tfjs dtype a TF dtype becomes, or undefined for types tfjs cannot hold (strings, resources…). */
export function tfjsDtype(dtype: DataTypeName | undefined): TfjsDtype | undefined {
  return dtype === undefined ? undefined : TFJS_DTYPE[dtype];
}

export function shapeOf(shape: TensorShape | undefined): number[] {
  return (shape?.dim ?? []).map((dim) => dim.size ?? 0);
}

/** Decodes a TensorProto (a Const node's `value`) into a tfjs-ready typed array. */
export function decodeTensor(tensor: TensorValue, nodeName: string): DecodedTensor {
  const dtype = tfjsDtype(tensor.dtype);
  if (!dtype) throw new Error(`constant ${nodeName} has dtype ${tensor.dtype ?? 'unset'}, which tfjs cannot hold`);
  const shape = shapeOf(tensor.tensorShape);
  const count = shape.reduce((a, b) => a * b, 1);
  const packed = Boolean(tensor.tensorContent?.length);
  const raw = packed ? fromContent(tensor.tensorContent!, tensor.dtype!) : fromRepeatedField(tensor);
  if (packed ? raw.length !== count : raw.length > count) {
    throw new Error(`constant ${nodeName}: ${raw.length} values for shape [${shape}]`);
  }
  const values = dtype === 'float32' ? new Float32Array(count) : dtype === 'int32' ? new Int32Array(count) : new Uint8Array(count);
  if (raw.length === count && !(raw instanceof BigInt64Array)) {
    values.set(raw as ArrayLike<number>);
    return { dtype, shape, values };
  }
  // TF fills the rest of a tensor with the last value given (e.g. a scalar-valued `zeros` constant).
  for (let i = 0; i < count; i++) values[i] = raw.length === 0 ? 0 : Number(raw[Math.min(i, raw.length - 1)]);
  return { dtype, shape, values };
}

function fromContent(content: Uint8Array, dtype: DataTypeName): ArrayLike<number | bigint> {
  // Protobuf byte fields are views into the file at arbitrary offsets (Node Buffers, whose slice() shares memory); copy for alignment.
  const buffer = new Uint8Array(content).buffer;
  switch (dtype) {
    case 'DT_FLOAT':
      return new Float32Array(buffer);
    case 'DT_DOUBLE':
      return new Float64Array(buffer);
    case 'DT_HALF':
      return Array.from(new Uint16Array(buffer), fromFloat16Bits);
    case 'DT_BFLOAT16':
      return Array.from(new Uint16Array(buffer), bfloat16ToFloat);
    case 'DT_INT32':
      return new Int32Array(buffer);
    case 'DT_INT64':
      return new BigInt64Array(buffer);
    case 'DT_INT16':
      return new Int16Array(buffer);
    case 'DT_UINT16':
      return new Uint16Array(buffer);
    case 'DT_INT8':
      return new Int8Array(buffer);
    case 'DT_UINT8':
    case 'DT_BOOL':
      return new Uint8Array(buffer);
    default:
      throw new Error(`unsupported tensor dtype ${dtype}`);
  }
}

function fromRepeatedField(tensor: TensorValue): ArrayLike<number> {
  switch (tensor.dtype) {
    case 'DT_FLOAT':
      return tensor.floatVal ?? [];
    case 'DT_DOUBLE':
      return tensor.doubleVal ?? [];
    case 'DT_HALF':
    case 'DT_BFLOAT16':
      // Both keep their 16 raw bits in half_val.
      return (tensor.halfVal ?? []).map((bits) =>
        tensor.dtype === 'DT_HALF' ? fromFloat16Bits(bits) : bfloat16ToFloat(bits),
      );
    case 'DT_INT64':
      return tensor.int64Val ?? [];
    case 'DT_BOOL':
      return (tensor.boolVal ?? []).map(Number);
    default:
      return tensor.intVal ?? [];
  }
}

/** bfloat16 is the top half of a float32. */
function bfloat16ToFloat(bits: number): number {
  return new Float32Array(new Uint32Array([bits << 16]).buffer)[0];
}

const TF_DTYPE: Record<TfjsDtype, DataTypeName> = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL' };

/** A Const NodeDef holding `tensor`, for nodes the converter adds (folded weights, crop boxes). */
export function constNodeDef(name: string, tensor: DecodedTensor): NodeDef {
  const value: TensorValue = {
    dtype: TF_DTYPE[tensor.dtype],
    tensorShape: { dim: tensor.shape.map((size) => ({ size })) },
    tensorContent: new Uint8Array(tensor.values.buffer, tensor.values.byteOffset, tensor.values.byteLength),
  };
  return { name, op: 'Const', input: [], attr: { dtype: { type: value.dtype }, value: { tensor: value } } };
}
