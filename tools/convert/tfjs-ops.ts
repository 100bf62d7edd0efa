import { json as arithmetic } from '@tensorflow/tfjs-converter/dist/operations/op_list/arithmetic.js';
import { json as basicMath } from '@tensorflow/tfjs-converter/dist/operations/op_list/basic_math.js';
import { json as control } from '@tensorflow/tfjs-converter/dist/operations/op_list/control.js';
import { json as convolution } from '@tensorflow/tfjs-converter/dist/operations/op_list/convolution.js';
import { json as creation } from '@tensorflow/tfjs-converter/dist/operations/op_list/creation.js';
import { json as dynamic } from '@tensorflow/tfjs-converter/dist/operations/op_list/dynamic.js';
import { json as evaluation } from '@tensorflow/tfjs-converter/dist/operations/op_list/evaluation.js';
import { json as graph } from '@tensorflow/tfjs-converter/dist/operations/op_list/graph.js';
import { json as hashTable } from '@tensorflow/tfjs-converter/dist/operations/op_list/hash_table.js';
import { json as image } from '@tensorflow/tfjs-converter/dist/operations/op_list/image.js';
import { json as logical } from '@tensorflow/tfjs-converter/dist/operations/op_list/logical.js';
import { json as matrices } from '@tensorflow/tfjs-converter/dist/operations/op_list/matrices.js';
import { json as normalization } from '@tensorflow/tfjs-converter/dist/operations/op_list/normalization.js';
import { json as ragged } from '@tensorflow/tfjs-converter/dist/operations/op_list/ragged.js';
import { json as reduction } from '@tensorflow/tfjs-converter/dist/operations/op_list/reduction.js';
import { json as sliceJoin } from '@tensorflow/tfjs-converter/dist/operations/op_list/slice_join.js';
import { json as sparse } from '@tensorflow/tfjs-converter/dist/operations/op_list/sparse.js';
import { json as spectral } from '@tensorflow/tfjs-converter/dist/operations/op_list/spectral.js';
import { json as string } from '@tensorflow/tfjs-converter/dist/operations/op_list/string.js';
import { json as tfdf } from '@tensorflow/tfjs-converter/dist/operations/op_list/tfdf.js';
import { json as transformation } from '@tensorflow/tfjs-converter/dist/operations/op_list/transformation.js';
import { GRAPH_OP_KERNELS } from '../../src/worker/kernels';
import type { NodeDef } from './graphdef';

const opNames = (tables: { tfOpName: string }[][]) => tables.flatMap((table) => table.map((mapper) => mapper.tfOpName));

/** The TensorFlow ops the installed tfjs-converter can execute, straight from its op tables. */
export const TFJS_SUPPORTED_OPS: ReadonlySet<string> = new Set(
  opNames([
    arithmetic, basicMath, control, convolution, creation, dynamic, evaluation, graph, hashTable, image, logical,
    matrices, normalization, ragged, reduction, sliceJoin, sparse, spectral, string, tfdf, transformation,
  ]),
);

const RANDOM_OPS = new Set(['RandomStandardNormal', 'RandomUniform', 'RandomUniformInt', 'TruncatedNormal', 'Multinomial']);

/**
 * The ops constant folding may compute ahead of time (fold-constants.ts): those whose value is a
 * function of their inputs' values alone, and that tfjs runs synchronously on real-valued tensors. Not
 * feeds (PlaceholderWithDefault), random numbers, control flow, tables, or ops of data-dependent shape.
 */
export const FOLDABLE_OPS: ReadonlySet<string> = new Set([
  ...opNames([arithmetic, basicMath, convolution, creation, image, logical, matrices, normalization, reduction, sliceJoin, transformation]).filter(
    (op) => !RANDOM_OPS.has(op),
  ),
  'Identity', 'Snapshot', 'StopGradient', 'Shape', 'Size', 'Rank',
]);

/**
 * Op the app cannot run → the nodes that use it, for an error message that says what and where. The
 * app's worker carries only the kernels of src/worker/kernels.ts, so an op tfjs-converter knows but
 * that table lacks would fail in the browser: it is reported here, at conversion time.
 */
export function findUnsupportedOps(nodes: readonly NodeDef[]): Map<string, string[]> {
  const unsupported = new Map<string, string[]>();
  for (const node of nodes) {
    if (TFJS_SUPPORTED_OPS.has(node.op) && node.op in GRAPH_OP_KERNELS) continue;
    unsupported.set(node.op, [...(unsupported.get(node.op) ?? []), node.name]);
  }
  return unsupported;
}
