import { json as arithmetic } from '@tensorflow/tfjs-converter/dist/operations/op_list/arithmetic';
import { json as basicMath } from '@tensorflow/tfjs-converter/dist/operations/op_list/basic_math';
import { json as control } from '@tensorflow/tfjs-converter/dist/operations/op_list/control';
import { json as convolution } from '@tensorflow/tfjs-converter/dist/operations/op_list/convolution';
import { json as creation } from '@tensorflow/tfjs-converter/dist/operations/op_list/creation';
import { json as dynamic } from '@tensorflow/tfjs-converter/dist/operations/op_list/dynamic';
import { json as evaluation } from '@tensorflow/tfjs-converter/dist/operations/op_list/evaluation';
import { json as graph } from '@tensorflow/tfjs-converter/dist/operations/op_list/graph';
import { json as hashTable } from '@tensorflow/tfjs-converter/dist/operations/op_list/hash_table';
import { json as image } from '@tensorflow/tfjs-converter/dist/operations/op_list/image';
import { json as logical } from '@tensorflow/tfjs-converter/dist/operations/op_list/logical';
import { json as matrices } from '@tensorflow/tfjs-converter/dist/operations/op_list/matrices';
import { json as normalization } from '@tensorflow/tfjs-converter/dist/operations/op_list/normalization';
import { json as ragged } from '@tensorflow/tfjs-converter/dist/operations/op_list/ragged';
import { json as reduction } from '@tensorflow/tfjs-converter/dist/operations/op_list/reduction';
import { json as sliceJoin } from '@tensorflow/tfjs-converter/dist/operations/op_list/slice_join';
import { json as sparse } from '@tensorflow/tfjs-converter/dist/operations/op_list/sparse';
import { json as spectral } from '@tensorflow/tfjs-converter/dist/operations/op_list/spectral';
import { json as string } from '@tensorflow/tfjs-converter/dist/operations/op_list/string';
import { json as tfdf } from '@tensorflow/tfjs-converter/dist/operations/op_list/tfdf';
import { json as transformation } from '@tensorflow/tfjs-converter/dist/operations/op_list/transformation';
import type { NodeDef } from './graphdef';

/** The TensorFlow ops the installed tfjs-converter can execute, straight from its op tables. */
export const TFJS_SUPPORTED_OPS: ReadonlySet<string> = new Set(
  [
    arithmetic, basicMath, control, convolution, creation, dynamic, evaluation, graph, hashTable, image, logical,
    matrices, normalization, ragged, reduction, sliceJoin, sparse, spectral, string, tfdf, transformation,
  ].flatMap((table) => table.map((mapper) => mapper.tfOpName)),
);

/** Unsupported op → the nodes that use it, for an error message that says what and where. */
export function findUnsupportedOps(nodes: readonly NodeDef[]): Map<string, string[]> {
  const unsupported = new Map<string, string[]>();
  for (const node of nodes) {
    if (TFJS_SUPPORTED_OPS.has(node.op)) continue;
    unsupported.set(node.op, [...(unsupported.get(node.op) ?? []), node.name]);
  }
  return unsupported;
}
