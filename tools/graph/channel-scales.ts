/**
 * Per-channel scales for 8-bit convolution weights. tfjs stores a uint8 weight with one minimum and
 * one step for the whole tensor, so a layer whose output channels differ in range (a depthwise
 * convolution's most of all) rounds its small channels to a few levels. Dividing each output channel
 * c of the weights by s_c = max|W_c| gives every channel the full 256 levels; the convolution's output
 * is then multiplied by s_c (a Mul after it) before anything else reads it:
 *   conv(x, W)_c + b_c = s_c · (conv(x, W / s)_c + b_c / s_c),
 * and a fused Relu commutes with the positive s_c. The scales are rounded to float16 first, so a
 * package storing them in float16 multiplies by exactly the values divided by here.
 */
import { fromFloat16Bits, toFloat16Bits } from './float16';
import { attr, constNode, opNode, type GraphModelSpec, type GraphNode, type Weight } from './graph-def';

/** Convolutions whose output channels are the weight's last axis (Conv2D) or last two (depthwise). */
const CHANNEL_AXES: Record<string, number> = { Conv2D: 1, _FusedConv2D: 1, DepthwiseConv2dNative: 2, FusedDepthwiseConv2dNative: 2 };
/** Fused ops the output scale passes through: a bias (divided by the scale) and positively homogeneous activations. */
const FUSED_OPS_SCALE_COMMUTES_WITH = new Set(['BiasAdd', 'Relu']);

/** Node name of the scaled convolution's result: the Mul takes over the convolution's own name. */
export const unscaledName = (convolution: string) => `${convolution}/unscaled`;
/** Weight holding the per-channel scales of `weight`. */
export const channelScaleName = (weight: string) => `${weight}/channel_scale`;

const float16Round = (value: number) => fromFloat16Bits(toFloat16Bits(value));
const sourceNode = (input: string) => input.replace(/^\^/, '').replace(/:\d+$/, '');
const decodedStrings = (node: GraphNode, name: string) => {
  const value = node.attr?.[name];
  return value && 'list' in value ? (value.list.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8')) : [];
};

/**
 * Returns the graph with each named convolution weight divided by its output channels' scales and a
 * Mul by those scales after the convolution (see above). Each named weight must feed exactly one
 * convolution, as its filter; a fused bias must be a weight of its own.
 */
export function foldChannelScales(graph: GraphModelSpec, weightNames: Iterable<string>): GraphModelSpec {
  const weights = new Map(graph.weights.map((weight) => [weight.name, weight]));
  const nodes = [...graph.nodes];
  const added: GraphNode[] = [];
  const addedWeights: Weight[] = [];
  for (const name of weightNames) {
    const weight = weights.get(name);
    if (!weight || weight.dtype !== 'float32') throw new Error(`no float32 weight named "${name}" to scale per channel`);
    const consumers = nodes.filter((node) => (node.input ?? []).some((input) => sourceNode(input) === name));
    const convolution = consumers[0];
    const channelAxes = convolution && CHANNEL_AXES[convolution.op];
    if (consumers.length !== 1 || !channelAxes || sourceNode(convolution.input![1]) !== name) {
      throw new Error(`"${name}" must be the filter of exactly one convolution to be scaled per channel`);
    }
    const fusedOps = decodedStrings(convolution, 'fused_ops');
    const unsupported = fusedOps.filter((op) => !FUSED_OPS_SCALE_COMMUTES_WITH.has(op));
    if (unsupported.length > 0) throw new Error(`${convolution.name}: an output scale does not pass through fused ${unsupported.join(', ')}`);

    const channels = weight.shape.slice(-channelAxes).reduce((a, b) => a * b, 1);
    const scales = new Float32Array(channels);
    weight.data.forEach((value, i) => (scales[i % channels] = Math.max(scales[i % channels], Math.abs(value))));
    scales.forEach((scale, c) => (scales[c] = float16Round(scale) || 1));
    weights.set(name, { ...weight, data: weight.data.map((value, i) => value / scales[i % channels]) });

    if (fusedOps.includes('BiasAdd')) {
      const biasName = sourceNode(convolution.input![2]);
      const bias = weights.get(biasName);
      const biasUsers = nodes.filter((node) => (node.input ?? []).some((input) => sourceNode(input) === biasName));
      if (!bias || bias.dtype !== 'float32' || biasUsers.length !== 1) throw new Error(`${convolution.name}: its bias must be a float32 weight of its own`);
      weights.set(biasName, { ...bias, data: bias.data.map((value, c) => value / scales[c]) });
    }

    const scaleWeight: Weight = { name: channelScaleName(name), dtype: 'float32', shape: [channels], data: scales };
    addedWeights.push(scaleWeight);
    added.push(constNode(scaleWeight));
    // The Mul takes the convolution's name, so every reader (and any output named after it) gets the scaled value.
    nodes[nodes.indexOf(convolution)] = { ...convolution, name: unscaledName(convolution.name) };
    added.push(opNode(convolution.name, 'Mul', [unscaledName(convolution.name), scaleWeight.name], { T: attr.dtype('float32') }));
  }
  return { ...graph, nodes: [...nodes, ...added], weights: [...graph.weights.map((weight) => weights.get(weight.name)!), ...addedWeights] };
}
