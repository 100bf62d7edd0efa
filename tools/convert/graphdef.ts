import protobuf from 'protobufjs';
import { ConversionError } from './errors';

/**
 * The subset of TensorFlow's graph.proto / node_def.proto / attr_value.proto / tensor.proto /
 * tensor_shape.proto / types.proto that a frozen inference GraphDef uses. Field numbers are TF's;
 * fields left out (function library, debug info, resource handles) are skipped by the decoder.
 */
const GRAPH_PROTO = `
syntax = "proto3";
package tensorflow;

enum DataType {
  DT_INVALID = 0; DT_FLOAT = 1; DT_DOUBLE = 2; DT_INT32 = 3; DT_UINT8 = 4; DT_INT16 = 5; DT_INT8 = 6;
  DT_STRING = 7; DT_COMPLEX64 = 8; DT_INT64 = 9; DT_BOOL = 10; DT_QINT8 = 11; DT_QUINT8 = 12;
  DT_QINT32 = 13; DT_BFLOAT16 = 14; DT_QINT16 = 15; DT_QUINT16 = 16; DT_UINT16 = 17;
  DT_COMPLEX128 = 18; DT_HALF = 19; DT_RESOURCE = 20; DT_VARIANT = 21; DT_UINT32 = 22; DT_UINT64 = 23;
  DT_FLOAT_REF = 101; DT_DOUBLE_REF = 102; DT_INT32_REF = 103; DT_UINT8_REF = 104; DT_STRING_REF = 107;
  DT_INT64_REF = 109; DT_BOOL_REF = 110; DT_HALF_REF = 119;
}

message TensorShapeProto {
  message Dim { int64 size = 1; string name = 2; }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}

message TensorProto {
  DataType dtype = 1;
  TensorShapeProto tensor_shape = 2;
  int32 version_number = 3;
  bytes tensor_content = 4;
  repeated int32 half_val = 13;
  repeated float float_val = 5;
  repeated double double_val = 6;
  repeated int32 int_val = 7;
  repeated bytes string_val = 8;
  repeated int64 int64_val = 10;
  repeated bool bool_val = 11;
}

message NameAttrList {
  string name = 1;
  map<string, AttrValue> attr = 2;
}

message AttrValue {
  message ListValue {
    repeated bytes s = 2;
    repeated int64 i = 3;
    repeated float f = 4;
    repeated bool b = 5;
    repeated DataType type = 6;
    repeated TensorShapeProto shape = 7;
    repeated TensorProto tensor = 8;
    repeated NameAttrList func = 9;
  }
  oneof value {
    bytes s = 2;
    int64 i = 3;
    float f = 4;
    bool b = 5;
    DataType type = 6;
    TensorShapeProto shape = 7;
    TensorProto tensor = 8;
    ListValue list = 1;
    string placeholder = 9;
    NameAttrList func = 10;
  }
}

message NodeDef {
  string name = 1;
  string op = 2;
  repeated string input = 3;
  string device = 4;
  map<string, AttrValue> attr = 5;
}

message VersionDef {
  int32 producer = 1;
  int32 min_consumer = 2;
  repeated int32 bad_consumers = 3;
}

message GraphDef {
  repeated NodeDef node = 1;
  VersionDef versions = 4;
}
`;

const root = protobuf.parse(GRAPH_PROTO).root;
const GraphDefType = root.lookupType('tensorflow.GraphDef');

/** DataType names as the proto enum spells them, e.g. 'DT_FLOAT'. */
export type DataTypeName = string;

export interface TensorShape {
  dim?: { size?: number; name?: string }[];
  unknownRank?: boolean;
}

export interface TensorValue {
  dtype?: DataTypeName;
  tensorShape?: TensorShape;
  tensorContent?: Uint8Array;
  halfVal?: number[];
  floatVal?: number[];
  doubleVal?: number[];
  intVal?: number[];
  stringVal?: Uint8Array[];
  int64Val?: number[];
  boolVal?: boolean[];
}

export interface AttrValue {
  s?: Uint8Array;
  i?: number;
  f?: number;
  b?: boolean;
  type?: DataTypeName;
  shape?: TensorShape;
  tensor?: TensorValue;
  list?: {
    s?: Uint8Array[];
    i?: number[];
    f?: number[];
    b?: boolean[];
    type?: DataTypeName[];
    shape?: TensorShape[];
    tensor?: TensorValue[];
  };
  placeholder?: string;
  func?: { name?: string };
}

export interface NodeDef {
  name: string;
  op: string;
  input: string[];
  device?: string;
  attr: Record<string, AttrValue>;
}

export interface GraphDef {
  node: NodeDef[];
  versions?: { producer?: number; minConsumer?: number };
}

/** Decodes a binary (not text) TensorFlow GraphDef, e.g. a frozen `show-and-tell.pb`. */
export function decodeGraphDef(bytes: Uint8Array): GraphDef {
  const hint = describeNonGraphDef(bytes);
  if (hint) throw new ConversionError(`not a binary TensorFlow GraphDef: ${hint}`);
  let decoded: GraphDef;
  try {
    const message = GraphDefType.decode(bytes);
    // longs as numbers: shapes and int attrs are small; int64 weights would lose precision only past 2^53.
    decoded = GraphDefType.toObject(message, { longs: Number, enums: String, arrays: true, objects: true }) as GraphDef;
  } catch (error) {
    throw new ConversionError(`not a binary TensorFlow GraphDef (protobuf decoding failed: ${(error as Error).message})`);
  }
  const nodes = decoded.node;
  if (nodes.length === 0) throw new ConversionError('not a binary TensorFlow GraphDef: it has no nodes');
  const malformed = nodes.find((node) => !node.name || !node.op);
  if (malformed) throw new ConversionError('not a binary TensorFlow GraphDef: a node has no name or op');
  for (const node of nodes) {
    node.input ??= [];
    node.attr ??= {};
  }
  return decoded;
}

/** Encodes a GraphDef to binary protobuf; the tests build their im2txt-like graphs with it. */
export function encodeGraphDef(graph: GraphDef): Uint8Array {
  const message = GraphDefType.fromObject(graph);
  return GraphDefType.encode(message).finish();
}

/** Recognises the files most often passed by mistake, so the error can say what to do instead. */
function describeNonGraphDef(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return 'the file is empty';
  const head = new TextDecoder().decode(bytes.subarray(0, 256)).trimStart();
  if (/^node\s*\{/.test(head)) return 'this looks like a text GraphDef (.pbtxt); export the binary .pb instead';
  if (head.startsWith('{')) return 'this looks like JSON (a tfjs model.json is already converted)';
  return undefined;
}
