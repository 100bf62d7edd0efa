import type { Tensor } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ConversionError } from './errors';
import { dataInputNames, indexByName, parseInput, pruneToOutputs } from './graph-edit';
import type { NodeDef } from './graphdef';
import { inMemoryGraphModel } from './graph-model';
import { constNodeDef, shapeOf, tfjsDtype, type DecodedTensor } from './tensor';
import { FOLDABLE_OPS } from './tfjs-ops';

/**
 * Constant folding, as TensorFlow's own graph optimiser (Grappler) does: every node whose inputs are
 * all known at conversion time is computed once, with tfjs, and written as a Const of the same name.
 * TF 1.x builds small tensors at run time this way: an LSTM's zero state is Fill(shape, 0), slim's
 * unfused batch norm computes rsqrt(variance + ε) in the graph, a Shape of a fixed-size tensor feeds
 * a Reshape. Folded, the app's worker needs no kernels for them (src/worker/kernels.ts) and does not
 * recompute them for every photo and every word. `outputs` are folded too if they are constant.
 * Runs on tfjs's current backend, which must be ready (`await tf.ready()`).
 */
export function foldConstants(nodes: readonly NodeDef[], outputs: readonly string[]): { nodes: NodeDef[]; folded: number } {
  const original = indexByName(nodes);
  const withShapes = nodes.map((node) => staticShapeAsConst(node, original) ?? node);
  const byName = indexByName(withShapes);
  const known = new Map<string, boolean>();
  const isConstant = (name: string): boolean => {
    const cached = known.get(name);
    if (cached !== undefined) return cached;
    known.set(name, false); // a cycle (control flow) is not constant
    const node = byName.get(name)!;
    const inputs = dataInputNames(node);
    const constant =
      node.op === 'Const'
        ? isWeight(node)
        : FOLDABLE_OPS.has(node.op) && inputs.length > 0 && inputs.every((input) => isConstant(parseInput(input).node));
    known.set(name, constant);
    return constant;
  };
  const folded = new Set(withShapes.filter((node) => node.op !== 'Const' && isConstant(node.name)).map((node) => node.name));
  const shapesFolded = withShapes.filter((node, i) => node !== nodes[i]).length;
  if (folded.size === 0) return { nodes: pruneToOutputs(withShapes, outputs), folded: shapesFolded };

  // The folded tensors something else still reads: inputs of the nodes that stay, and folded outputs.
  const boundary = new Set<string>();
  for (const node of withShapes) {
    if (folded.has(node.name)) continue;
    for (const input of dataInputNames(node)) if (folded.has(parseInput(input).node)) boundary.add(canonical(input));
  }
  for (const output of outputs) if (folded.has(output)) boundary.add(output);
  const values = evaluate(withShapes.filter((node) => isConstant(node.name)), [...boundary]);

  const replacements = new Map<string, NodeDef[]>();
  const renamed = new Map<string, string>();
  for (const [ref, value] of values) {
    const { node, output } = parseInput(ref);
    const name = output === 0 ? node : uniqueName(`${node}/output_${output}`, byName);
    if (output > 0) renamed.set(ref, name);
    replacements.set(name, constNodes(name, value));
  }
  const rewired = withShapes.map((node) => ({ ...node, input: node.input.map((input) => renamed.get(canonical(input)) ?? input) }));
  const result = rewired.flatMap((node) => replacements.get(node.name) ?? [node]);
  for (const [name, added] of replacements) if (!byName.has(name)) result.push(...added);
  return { nodes: pruneToOutputs(result, outputs), folded: shapesFolded + folded.size };
}

/** A Const whose value tfjs can hold as a weight (not strings, and not bool: the package has no bool weights). */
function isWeight(node: NodeDef): boolean {
  const dtype = tfjsDtype(node.attr.value?.tensor?.dtype);
  return dtype === 'float32' || dtype === 'int32';
}

/** `node:0` and `node` are the same tensor. */
function canonical(input: string): string {
  const { node, output } = parseInput(input);
  return output === 0 ? node : `${node}:${output}`;
}

function uniqueName(wanted: string, byName: ReadonlyMap<string, NodeDef>): string {
  let name = wanted;
  for (let n = 1; byName.has(name); n++) name = `${wanted}_${n}`;
  return name;
}

/**
 * The Shape of a Placeholder of fully known shape (such as the `image` input) is a constant already.
 * (The Shape of a constant is folded with the rest.)
 */
function staticShapeAsConst(node: NodeDef, byName: ReadonlyMap<string, NodeDef>): NodeDef | undefined {
  if (node.op !== 'Shape') return undefined;
  const input = byName.get(parseInput(dataInputNames(node)[0]).node);
  const shape = input?.op === 'Placeholder' ? input.attr.shape?.shape : undefined;
  if (!shape || shape.unknownRank || shapeOf(shape).some((size) => size < 0)) return undefined;
  return constNodeDef(node.name, { dtype: 'int32', shape: [shapeOf(shape).length], values: Int32Array.from(shapeOf(shape)) });
}

/** Runs the constant part of the graph in tfjs once; `refs` are `node` or `node:k`. */
function evaluate(constantNodes: readonly NodeDef[], refs: string[]): Map<string, DecodedTensor> {
  const model = inMemoryGraphModel(pruneToOutputs(constantNodes, refs.map((ref) => parseInput(ref).node)));
  try {
    const tensors = [model.execute({}, refs)].flat() as Tensor[];
    const values = new Map(refs.map((ref, i) => [ref, toDecoded(ref, tensors[i])]));
    tensors.forEach((tensor) => tensor.dispose());
    return values;
  } finally {
    model.dispose();
  }
}

function toDecoded(ref: string, tensor: Tensor): DecodedTensor {
  if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32' && tensor.dtype !== 'bool') {
    throw new ConversionError(`cannot fold ${ref}: its value is ${tensor.dtype}, which a model package cannot hold`);
  }
  const data = tensor.dataSync();
  const values = tensor.dtype === 'float32' ? Float32Array.from(data) : tensor.dtype === 'int32' ? Int32Array.from(data) : Uint8Array.from(data);
  return { dtype: tensor.dtype, shape: tensor.shape, values };
}

/** A Const for the value; a bool one as int32 0/1 and a Cast, since the package has no bool weights. */
function constNodes(name: string, value: DecodedTensor): NodeDef[] {
  if (value.dtype !== 'bool') return [constNodeDef(name, value)];
  const asInt = constNodeDef(`${name}/as_int32`, { ...value, dtype: 'int32', values: Int32Array.from(value.values) });
  return [asInt, { name, op: 'Cast', input: [asInt.name], attr: { SrcT: { type: 'DT_INT32' }, DstT: { type: 'DT_BOOL' } } }];
}
