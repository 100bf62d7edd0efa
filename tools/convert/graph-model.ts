import { loadGraphModelSync } from '@tensorflow/tfjs-converter';
import { constNode, opNode, type AttrValue as JsonAttrValue, type GraphModelSpec, type GraphNode, type TensorShapeJson, type Weight } from '../graph/graph-def';
import { ConversionError } from './errors';
import type { NodeDef, TensorShape } from './graphdef';
import { decodeTensor, shapeOf } from './tensor';

/** GraphDef nodes as a tfjs graph model: each Const's value becomes the weight of the same name. */
export function toGraphModel(nodes: readonly NodeDef[]): GraphModelSpec {
  const weights: Weight[] = [];
  const graphNodes: GraphNode[] = nodes.map((node) => {
    if (node.op !== 'Const') return opNode(node.name, node.op, node.input, jsonAttrs(node));
    const tensor = decodeTensor(node.attr.value?.tensor ?? {}, node.name);
    if (tensor.dtype === 'bool') throw new ConversionError(`constant ${node.name} is boolean; the package format has no bool weights`);
    const weight: Weight =
      tensor.dtype === 'float32'
        ? { name: node.name, dtype: 'float32', shape: tensor.shape, data: tensor.values as Float32Array }
        : { name: node.name, dtype: 'int32', shape: tensor.shape, data: tensor.values as Int32Array };
    weights.push(weight);
    return constNode(weight);
  });
  return { nodes: graphNodes, weights, convertedBy: 'show-and-tell-browser tools/convert' };
}

/** The nodes as a tfjs GraphModel, straight from memory: to run (part of) a graph in Node. */
export function inMemoryGraphModel(nodes: readonly NodeDef[]) {
  const spec = toGraphModel(nodes);
  return loadGraphModelSync({
    modelTopology: { node: spec.nodes, versions: {} },
    weightSpecs: spec.weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })),
    weightData: spec.weights.map((weight) => weight.data.slice().buffer),
  });
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function jsonShape(shape: TensorShape): TensorShapeJson {
  return shape.unknownRank ? { unknownRank: true } : { dim: shapeOf(shape).map((size) => ({ size: String(size) })) };
}

/** The protobuf JSON mapping of the attributes, minus TF's internal `_…` ones (colocation, output shapes). */
function jsonAttrs(node: NodeDef): Record<string, JsonAttrValue> {
  const result: Record<string, JsonAttrValue> = {};
  for (const [key, value] of Object.entries(node.attr)) {
    if (key.startsWith('_')) continue;
    if (value.s !== undefined) result[key] = { s: base64(value.s) };
    else if (value.i !== undefined) result[key] = { i: String(value.i) };
    else if (value.f !== undefined) result[key] = { f: value.f };
    else if (value.b !== undefined) result[key] = { b: value.b };
    else if (value.type !== undefined) result[key] = { type: value.type };
    else if (value.shape !== undefined) result[key] = { shape: jsonShape(value.shape) };
    else if (value.list !== undefined) {
      // Decoding fills in every repeated field; tfjs reads the first non-empty one, so drop empty ones.
      const { s, i, f, b, type, shape } = value.list;
      const given = <T>(values: T[] | undefined) => (values?.length ? values : undefined);
      result[key] = {
        list: { s: given(s)?.map(base64), i: given(i)?.map(String), f: given(f), b: given(b), type: given(type), shape: given(shape)?.map(jsonShape) },
      };
    } else throw new ConversionError(`${node.name} (${node.op}) has attribute ${key} of a kind tfjs graph models cannot hold`);
  }
  return result;
}
