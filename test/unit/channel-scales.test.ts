import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, GraphBuilder, writeGraphModel, type GraphModelSpec } from '../../tools/graph';
import { channelScaleName, foldChannelScales } from '../../tools/graph/channel-scales';
import { fileModelHandler, initNodeBackend } from '../../src/node/runtime';

/** Deterministic pseudo-random numbers in [-1, 1), each output channel (index mod `channels`) scaled by its own range. */
function channelValues(count: number, channels: number, seed: number, channelRanges: readonly number[]): Float32Array {
  let x = seed;
  return Float32Array.from({ length: count }, (_, i) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return (x / 2147483648 - 0.5) * 2 * channelRanges[i % channels];
  });
}

const convAttrs = (fusedOps: string[]) => ({
  strides: attr.ints([1, 1, 1, 1]),
  dilations: attr.ints([1, 1, 1, 1]),
  padding: attr.string('SAME'),
  data_format: attr.string('NHWC'),
  T: attr.dtype('float32'),
  ...(fusedOps.length > 0 ? { fused_ops: attr.strings(fusedOps), num_args: attr.int(1) } : {}),
});

/** MobileNet's kinds of convolution in a row: fused conv + bias + Relu, fused depthwise + bias, plain depthwise, plain 1×1 conv. */
function smallEncoder(): GraphModelSpec {
  const g = new GraphBuilder();
  const image = g.placeholder('image', 'float32', [1, -1, -1, 3]);
  // Channels whose ranges differ by up to 200×, as a depthwise layer's do.
  const conv = g.op('conv', '_FusedConv2D', [image, g.floatConstant('conv/weights', [3, 3, 3, 4], channelValues(108, 4, 1, [1, 0.01, 0.3, 2])), g.floatConstant('conv/bias', [4], [0.1, -0.02, 0.3, -1])], convAttrs(['BiasAdd', 'Relu']));
  const depthwise = g.op('depthwise', 'FusedDepthwiseConv2dNative', [conv, g.floatConstant('depthwise/weights', [3, 3, 4, 1], channelValues(36, 4, 2, [0.05, 3, 0.5, 0.02])), g.floatConstant('depthwise/bias', [4], [0.5, 0, -0.2, 0.01])], convAttrs(['BiasAdd']));
  const plainDepthwise = g.op('plain_depthwise', 'DepthwiseConv2dNative', [depthwise, g.floatConstant('plain_depthwise/weights', [3, 3, 4, 2], channelValues(72, 8, 3, [1, 0.02, 0.3, 4, 0.1, 1, 0.05, 2]))], convAttrs([]));
  g.op('project', 'Conv2D', [plainDepthwise, g.floatConstant('project/weights', [1, 1, 8, 3], channelValues(24, 3, 4, [0.01, 1, 0.2]))], convAttrs([]));
  return g.build();
}

const SCALED = ['conv/weights', 'depthwise/weights', 'plain_depthwise/weights', 'project/weights'];

describe('per-channel scales for 8-bit convolutions (tools/graph/channel-scales.ts)', () => {
  let dir: string;
  const pixels = () => tf.tensor4d(channelValues(6 * 6 * 3, 3, 9, [1, 1, 1]), [1, 6, 6, 3]);

  beforeAll(async () => {
    await initNodeBackend('cpu');
    dir = await mkdtemp(path.join(os.tmpdir(), 'channel-scales-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** Every named node's output for the test image, after writing the graph with the given 8-bit weights. */
  async function run(name: string, graph: GraphModelSpec, uint8: readonly string[]): Promise<Record<string, Float32Array>> {
    await writeGraphModel(path.join(dir, name), graph, { quantize: (weight) => (uint8.includes(weight.name) ? 'uint8' : undefined) });
    const model = await loadGraphModel(fileModelHandler(path.join(dir, name, 'model.json')));
    const outputs = ['conv', 'depthwise', 'plain_depthwise', 'project'];
    const image = pixels();
    const values = model.execute({ image }, outputs) as tf.Tensor[];
    const result = Object.fromEntries(outputs.map((output, i) => [output, values[i].dataSync() as Float32Array]));
    tf.dispose([image, ...values]);
    model.dispose();
    return result;
  }

  const relativeError = (got: Float32Array, want: Float32Array) => {
    let diff = 0;
    let norm = 0;
    want.forEach((value, i) => {
      diff += (got[i] - value) ** 2;
      norm += value ** 2;
    });
    return Math.sqrt(diff / norm);
  };

  it('gives the unfolded graph’s outputs, every layer, under the same node names', async () => {
    const folded = foldChannelScales(smallEncoder(), SCALED);
    // Every filter now spans [-1, 1] in each output channel; the scales sit beside it.
    const weight = folded.weights.find((w) => w.name === 'plain_depthwise/weights')!;
    expect(Math.max(...weight.data.map(Math.abs))).toBeCloseTo(1, 2);
    expect(folded.weights.find((w) => w.name === channelScaleName('plain_depthwise/weights'))!.shape).toEqual([8]);

    const reference = await run('float', smallEncoder(), []);
    const got = await run('folded', folded, []);
    for (const [output, values] of Object.entries(reference)) {
      expect(got[output].length).toBe(values.length);
      expect(relativeError(got[output], values)).toBeLessThan(1e-5);
    }
  });

  it('keeps small channels in 8 bits where one scale per tensor loses them', async () => {
    const reference = await run('float', smallEncoder(), []);
    const perTensor = await run('per-tensor', smallEncoder(), SCALED);
    const perChannel = await run('per-channel', foldChannelScales(smallEncoder(), SCALED), SCALED);
    const perTensorError = relativeError(perTensor.project, reference.project);
    const perChannelError = relativeError(perChannel.project, reference.project);
    expect(perChannelError).toBeLessThan(perTensorError / 4);
    expect(perChannelError).toBeLessThan(0.01);
  });

  it('refuses a weight that is not a convolution filter, and a fused activation the scale does not pass through', () => {
    expect(() => foldChannelScales(smallEncoder(), ['conv/bias'])).toThrow(/filter of exactly one convolution/);
    const graph = smallEncoder();
    const conv = graph.nodes.find((node) => node.name === 'conv')!;
    conv.attr = { ...conv.attr, fused_ops: attr.strings(['BiasAdd', 'Relu6']) };
    expect(() => foldChannelScales(graph, ['conv/weights'])).toThrow(/Relu6/);
  });
});
