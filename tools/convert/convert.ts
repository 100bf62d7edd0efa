import type { GraphModelSpec } from '../graph/graph-def';
import { DEFAULT_NODES } from '../../src/captioner/card';
import type { ImageSpec } from '../../src/captioner/preprocess';
import { foldBatchNorms } from './fold-batch-norm';
import { foldConstants } from './fold-constants';
import { bypassIdentities, dataInputNames, indexByName, parseInput, pruneToOutputs } from './graph-edit';
import type { AttrValue, GraphDef, NodeDef } from './graphdef';
import { toGraphModel } from './graph-model';
import { IM2TXT_IMAGE_FRONT, replaceImageFront, type Crop } from './image-front';
import { ConversionError } from './errors';
import { constNodeDef, decodeTensor, shapeOf } from './tensor';
import { findUnsupportedOps } from './tfjs-ops';

/** The im2txt inference endpoints the app drives (see docs/ARCHITECTURE.md). */
const INPUTS = [DEFAULT_NODES.inputFeed, DEFAULT_NODES.stateFeed];
const OUTPUTS = [DEFAULT_NODES.initialState, DEFAULT_NODES.softmax, DEFAULT_NODES.state];

export interface ConvertGraphOptions {
  /** Softmax columns the vocabulary needs: word_counts.txt lines + 1. */
  vocabularySize: number;
  foldBatchNorm?: boolean;
}

export interface ConvertedGraph {
  model: GraphModelSpec;
  image: ImageSpec;
  crop?: Crop;
  stateSize: number;
  stats: {
    nodesBefore: number;
    nodesAfter: number;
    /** Nodes computed at conversion because their inputs are all constants (fold-constants.ts). */
    foldedConstants: number;
    foldedBatchNorms: number;
    /** Logits columns past the vocabulary, dropped (see trimLogits). */
    droppedSoftmaxColumns: number;
    weightValues: number;
  };
}

/** Turns a decoded im2txt inference GraphDef into a tfjs graph model with the app's endpoints. */
export function convertGraph(graph: GraphDef, options: ConvertGraphOptions): ConvertedGraph {
  const names = new Set(graph.node.map((node) => node.name));
  const missing = [IM2TXT_IMAGE_FRONT.feed, ...INPUTS, ...OUTPUTS].filter((name) => !names.has(name));
  if (missing.length > 0) throw new ConversionError(`the graph lacks im2txt endpoint nodes: ${missing.join(', ')}`);

  const front = replaceImageFront(graph.node);
  let nodes = bypassIdentities(pruneToOutputs(front.nodes, OUTPUTS), new Set(OUTPUTS));
  const unused = [IM2TXT_IMAGE_FRONT.imageInput, ...INPUTS].filter((name) => !nodes.some((node) => node.name === name));
  if (unused.length > 0) throw new ConversionError(`the outputs do not depend on the inputs ${unused.join(', ')}`);
  nodes = nodes.map(int64AsInt32).map(withDefaultAttrs);
  const constants = foldConstants(nodes, OUTPUTS);
  nodes = constants.nodes;
  let foldedBatchNorms = 0;
  if (options.foldBatchNorm ?? true) {
    const folding = foldBatchNorms(nodes);
    nodes = pruneToOutputs(folding.nodes, OUTPUTS);
    foldedBatchNorms = folding.folded;
  }
  const trimmed = trimLogits(nodes, options.vocabularySize);
  nodes = trimmed.nodes;
  checkRunnableInTfjs(nodes);

  const byName = indexByName(nodes);
  const stateSize = placeholderShape(byName.get(DEFAULT_NODES.stateFeed)!)[1];
  if (!(stateSize > 0)) throw new ConversionError(`${DEFAULT_NODES.stateFeed} has no fixed width; expected shape [?, state size]`);
  const model = toGraphModel(nodes);
  return {
    model,
    image: front.image,
    crop: front.crop,
    stateSize,
    stats: {
      nodesBefore: graph.node.length,
      nodesAfter: nodes.length,
      foldedConstants: constants.folded,
      foldedBatchNorms,
      droppedSoftmaxColumns: trimmed.dropped,
      weightValues: model.weights.reduce((total, weight) => total + weight.data.length, 0),
    },
  };
}

/** tfjs has no int64: word ids (im2txt's input_feed is int64) and index constants run as int32. */
function int64AsInt32(node: NodeDef): NodeDef {
  const attr = Object.fromEntries(
    Object.entries(node.attr).map(([key, value]): [string, AttrValue] => [key, value.type === 'DT_INT64' ? { type: 'DT_INT32' } : value]),
  );
  return { ...node, attr };
}

/**
 * Attributes newer TF versions always write but the tutorial's TF 1.0-era graph may lack, which tfjs
 * reads without a default (a Conv2D without `dilations` fails in tfjs).
 */
const TF_DEFAULT_ATTRS: Record<string, Record<string, AttrValue>> = {
  Conv2D: { dilations: { list: { i: [1, 1, 1, 1] } } },
  DepthwiseConv2dNative: { dilations: { list: { i: [1, 1, 1, 1] } } },
};

function withDefaultAttrs(node: NodeDef): NodeDef {
  const defaults = TF_DEFAULT_ATTRS[node.op];
  return defaults ? { ...node, attr: { ...defaults, ...node.attr } } : node;
}

function checkRunnableInTfjs(nodes: readonly NodeDef[]): void {
  const unsupported = findUnsupportedOps(nodes);
  const problems = [...unsupported].map(([op, where]) => `${op}: ${where.slice(0, 5).join(', ')}${where.length > 5 ? `, … (${where.length} nodes)` : ''}`);
  for (const node of nodes) {
    if (node.attr.is_training?.b) problems.push(`${node.op} ${node.name} is in training mode; export the inference graph`);
  }
  if (problems.length > 0) {
    throw new ConversionError(`the graph needs ops that tfjs cannot run:\n  ${problems.join('\n  ')}`);
  }
}

function placeholderShape(node: NodeDef): number[] {
  return shapeOf(node.attr.shape?.shape);
}

interface LogitsLayer {
  weights: NodeDef;
  transposed: boolean;
  bias?: NodeDef;
  width: number;
}

/** The constants of the layer that feeds the softmax: MatMul [units, V] (+ bias [V]), as im2txt's `logits`. */
function findLogitsLayer(nodes: readonly NodeDef[]): LogitsLayer {
  const byName = indexByName(nodes);
  let node = byName.get(DEFAULT_NODES.softmax)!;
  let bias: NodeDef | undefined;
  for (;;) {
    const inputs = dataInputNames(node).map((name) => byName.get(parseInput(name).node)!);
    const constant = inputs.find((input) => input.op === 'Const');
    const constantShape = shapeOf(constant?.attr.value?.tensor?.tensorShape);
    if (node.op === 'MatMul' && constant && constantShape.length === 2) {
      const transposed = Boolean(node.attr.transpose_b?.b);
      return { weights: constant, transposed, bias, width: constantShape[transposed ? 0 : 1] };
    }
    if (['BiasAdd', 'Add', 'AddV2'].includes(node.op) && constantShape.length === 1) bias = constant;
    else if (!['Softmax', 'Identity', 'Reshape'].includes(node.op)) {
      throw new ConversionError(`cannot find the logits layer: ${node.name} (${node.op}) is not a MatMul, bias add or reshape`);
    }
    node = inputs.find((input) => input.op !== 'Const')!;
  }
}

/**
 * im2txt sizes its logits by configuration (vocab_size = 12000), deliberately more than the words in
 * word_counts.txt (about 11500 for MS-COCO); the extra columns were never a training target. The
 * app's contract is a softmax of exactly lines + 1 columns, so those columns are dropped: the softmax
 * then renormalises over the real words. A vocabulary larger than the logits is an error.
 */
function trimLogits(nodes: readonly NodeDef[], vocabularySize: number): { nodes: NodeDef[]; dropped: number } {
  const layer = findLogitsLayer(nodes);
  if (layer.width < vocabularySize) {
    throw new ConversionError(
      `word_counts.txt has ${vocabularySize - 1} words, so the softmax needs ${vocabularySize} columns ` +
        `(one more, for the unknown word), but the graph's softmax has only ${layer.width}: wrong word_counts.txt?`,
    );
  }
  if (layer.width === vocabularySize) return { nodes: [...nodes], dropped: 0 };
  const weights = decodeTensor(layer.weights.attr.value!.tensor!, layer.weights.name);
  const [rows, columns] = weights.shape;
  const keepColumns = layer.transposed ? columns : vocabularySize;
  const keepRows = layer.transposed ? vocabularySize : rows;
  const kept = new Float32Array(keepRows * keepColumns);
  for (let row = 0; row < keepRows; row++) kept.set(weights.values.subarray(row * columns, row * columns + keepColumns), row * keepColumns);
  const replacements = new Map([[layer.weights.name, constNodeDef(layer.weights.name, { dtype: 'float32', shape: [keepRows, keepColumns], values: kept })]]);
  if (layer.bias) {
    const bias = decodeTensor(layer.bias.attr.value!.tensor!, layer.bias.name);
    replacements.set(layer.bias.name, constNodeDef(layer.bias.name, { dtype: 'float32', shape: [vocabularySize], values: bias.values.slice(0, vocabularySize) }));
  }
  return { nodes: nodes.map((node) => replacements.get(node.name) ?? node), dropped: layer.width - vocabularySize };
}
