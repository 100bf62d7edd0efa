import { ConversionError } from './errors';
import type { NodeDef } from './graphdef';
import { decodeTensor } from './tensor';

/** A node input: `node`, `node:k` (its k-th output) or `^node` (run-after dependency, no data). */
export interface InputRef {
  node: string;
  output: number;
  control: boolean;
}

export function parseInput(input: string): InputRef {
  if (input.startsWith('^')) return { node: input.slice(1), output: 0, control: true };
  const match = /^(.*):(\d+)$/.exec(input);
  return match ? { node: match[1], output: Number(match[2]), control: false } : { node: input, output: 0, control: false };
}

/** The part of a node that graph edits look at; both GraphDef protos and tfjs JSON nodes have it. */
export interface NodeLike {
  name: string;
  input: string[];
}

export function dataInputs(node: NodeLike): InputRef[] {
  return node.input.map(parseInput).filter((ref) => !ref.control);
}

/** The node's data inputs as written (`node` or `node:k`), without its control inputs. */
export function dataInputNames(node: NodeLike): string[] {
  return node.input.filter((input) => !parseInput(input).control);
}

export function indexByName<N extends NodeLike>(nodes: readonly N[]): Map<string, N> {
  return new Map(nodes.map((node) => [node.name, node]));
}

/**
 * Keeps only the nodes the outputs need, in their original order. Control inputs are dropped:
 * in a frozen inference graph they only order Asserts and summaries, which tfjs cannot run anyway.
 */
export function pruneToOutputs<N extends NodeLike>(nodes: readonly N[], outputs: readonly string[]): N[] {
  const byName = indexByName(nodes);
  const needed = new Set<string>();
  const pending = [...outputs];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (needed.has(name)) continue;
    const node = byName.get(name);
    if (!node) throw new ConversionError(`node ${name} is used but not defined in the graph`);
    needed.add(name);
    for (const ref of dataInputs(node)) pending.push(ref.node);
  }
  return nodes
    .filter((node) => needed.has(node.name))
    .map((node) => ({ ...node, input: dataInputNames(node) }));
}

/** Rewrites every data input that reads `from` (any spelling of output 0) to read `to` instead. */
export function redirectInputs<N extends NodeLike>(nodes: readonly N[], from: string, to: string): N[] {
  return nodes.map((node) => ({
    ...node,
    input: node.input.map((input) => {
      const ref = parseInput(input);
      return !ref.control && ref.node === from && ref.output === 0 ? to : input;
    }),
  }));
}

/**
 * Short-circuits Identity nodes (every `variable/read` of a frozen graph), except those in `keep`:
 * fewer nodes for tfjs to execute and for the converter's pattern matching to look through.
 */
export function bypassIdentities(nodes: readonly NodeDef[], keep: ReadonlySet<string>): NodeDef[] {
  const byName = indexByName(nodes);
  const source = (input: string): string => {
    const ref = parseInput(input);
    const node = byName.get(ref.node);
    if (ref.control || !node || node.op !== 'Identity' || keep.has(node.name)) return input;
    const [upstream] = dataInputNames(node);
    return upstream === undefined ? input : source(upstream);
  };
  return nodes
    .filter((node) => node.op !== 'Identity' || keep.has(node.name))
    .map((node) => ({ ...node, input: node.input.map(source) }));
}

/**
 * The values of a small tensor known at conversion time: a Const, or an Identity, Pack or
 * Reshape of such (how TF 1.x image ops spell their crop boxes and paddings). Undefined otherwise.
 */
export function resolveConstantValues(input: string, byName: ReadonlyMap<string, NodeDef>): number[] | undefined {
  const ref = parseInput(input);
  const node = byName.get(ref.node);
  if (!node || ref.output !== 0) return undefined;
  const inputs = dataInputNames(node);
  switch (node.op) {
    case 'Const':
      return node.attr.value?.tensor ? Array.from(decodeTensor(node.attr.value.tensor, node.name).values) : undefined;
    case 'Identity':
    case 'Reshape':
      return resolveConstantValues(inputs[0], byName);
    case 'Pack': {
      const parts = inputs.map((i) => resolveConstantValues(i, byName));
      return parts.every((part) => part?.length === 1) ? parts.map((part) => part![0]) : undefined;
    }
    default:
      return undefined;
  }
}
