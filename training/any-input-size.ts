/**
 * CenterNet as shipped takes 512×512 only: five of its constants are sizes that follow from it (three
 * upsampling sizes, the heatmap's width, and the number of heatmap cells). This rewrite reads them off
 * the tensors at run time instead (Shape → Slice), so the same graph and weights encode any input
 * whose sides are multiples of 32, e.g. a smaller one for live camera frames. At 512×512 every value
 * is the constant it replaces, so outputs do not change.
 */
import { parseInput } from '../tools/convert/graph-edit';
import { GraphBuilder, type GraphNode, type Weight } from '../tools/graph';
import { HEATMAP_NODE } from './encoder';

/** CenterNet's decoding: the heatmap's width (for cell index → x, y) and the cell count of the box-size map's reshape. */
const HEATMAP_WIDTH_NODE = 'tower_0/strided_slice_6';
const BOX_SIZE_RESHAPE_NODE = 'tower_0/BatchGather/concat';
/** The detector's output stride: its heatmap has a cell per 4×4 input pixels. */
const HEATMAP_STRIDE = 4;

function weightOf(weights: readonly Weight[], name: string): Weight {
  const weight = weights.find((candidate) => candidate.name === name);
  if (!weight) throw new Error(`CenterNet has no constant ${name}: not the graph this rewrite was written for`);
  return weight;
}

function expectValues(weight: Weight, expected: readonly number[]): void {
  if (Array.from(weight.data).join() !== expected.join()) {
    throw new Error(`CenterNet's ${weight.name} is [${Array.from(weight.data)}], expected [${expected}]: not the graph this rewrite was written for`);
  }
}

/**
 * `nodes` and `weights`: CenterNet pruned to the outputs the package uses, its input placeholder
 * already removed; `inputSize` is the side it was exported for (its constants are checked against it).
 */
export function acceptAnyInputSize(nodes: readonly GraphNode[], weights: readonly Weight[], inputSize: number): { nodes: GraphNode[]; weights: Weight[] } {
  const graph = new GraphBuilder();
  const rewired = new Map<string, string[]>();
  const replaced = new Set<string>();
  const consumers = (name: string) => nodes.filter((node) => (node.input ?? []).some((input) => parseInput(input).node === name));
  const runtimeSlice = (name: string, of: string, begin: number, size: number) => {
    const shape = graph.op(`${name}/shape`, 'Shape', [of], { out_type: { type: 'DT_INT32' } });
    return graph.op(name, 'Slice', [shape, graph.intConstant(`${name}/begin`, [1], [begin]), graph.intConstant(`${name}/size`, [1], [size])], { Index: { type: 'DT_INT32' }, T: { type: 'DT_INT32' } });
  };

  // Each upsampling resizes to the size of the skip connection it is concatenated with.
  for (const resize of nodes.filter((node) => node.op === 'ResizeBilinear')) {
    const [images, size] = resize.input ?? [];
    const concat = consumers(resize.name).find((node) => node.op === 'ConcatV2');
    const skip = concat?.input?.slice(0, -1).find((input) => input !== resize.name);
    if (!skip) throw new Error(`CenterNet's ${resize.name} does not feed a concatenation with a skip connection`);
    replaced.add(size);
    rewired.set(resize.name, [images, runtimeSlice(`${resize.name}/skip_size`, skip, 1, 2)]);
  }

  const cells = inputSize / HEATMAP_STRIDE;
  expectValues(weightOf(weights, HEATMAP_WIDTH_NODE), [cells]);
  expectValues(weightOf(weights, BOX_SIZE_RESHAPE_NODE), [cells * cells, 4]);
  const heatmapWidth = runtimeSlice(`${HEATMAP_WIDTH_NODE}/runtime`, HEATMAP_NODE, 2, 1);
  replaced.add(HEATMAP_WIDTH_NODE);
  const anyCells = `${BOX_SIZE_RESHAPE_NODE}/any_size`;
  graph.intConstant(anyCells, [2], [-1, 4]);
  replaced.add(BOX_SIZE_RESHAPE_NODE);

  const renamed = (input: string) => {
    const ref = parseInput(input);
    if (ref.node === HEATMAP_WIDTH_NODE) return heatmapWidth;
    if (ref.node === BOX_SIZE_RESHAPE_NODE) return anyCells;
    return input;
  };
  const kept = nodes
    .filter((node) => !replaced.has(node.name))
    .map((node) => ({ ...node, input: rewired.get(node.name) ?? (node.input ?? []).map(renamed) }));
  const added = graph.build();
  return { nodes: [...kept, ...added.nodes], weights: [...weights.filter((weight) => !replaced.has(weight.name)), ...added.weights] };
}
