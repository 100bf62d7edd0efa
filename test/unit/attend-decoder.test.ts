import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NODES } from '../../src/captioner/card';
import { fileModelHandler, initNodeBackend } from '../../src/node/runtime';
import { GraphBuilder, writeGraphModel } from '../../tools/graph';
import { addAttendDecoder, REGIONS_FEED, REGIONS_OUTPUT, type AttendDecoderWeights, type AttentionKind, type WordEvidenceSpec } from '../../tools/graph/attend-decoder';
import type { Matrix } from '../../tools/graph/linear';
import { basicLstmCell, rowTimes, softmax } from '../helpers/reference-math';

/** Deterministic pseudo-random numbers in [-scale, scale). */
function randomMatrix(shape: number[], seed: number, scale = 1): Matrix {
  let x = seed;
  const count = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: count }, () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 2 * scale) };
}

const [E, A, U, V, R] = [4, 3, 5, 6, 7];
const row = (matrix: Matrix, r: number) => matrix.data.subarray(r * matrix.shape[1], (r + 1) * matrix.shape[1]);
const plus = (a: ArrayLike<number>, b: ArrayLike<number>) => Float32Array.from(a, (v, i) => v + b[i]);

function weightsFor(kind: AttentionKind): AttendDecoderWeights {
  const lstmInputs = kind === 'topdown' ? [U + E + E, E + U] : [E + E];
  return {
    attentionRegion: randomMatrix([E, A], 1), attentionRegionBias: randomMatrix([A], 2),
    attentionState: randomMatrix([U, A], 3), attentionScore: randomMatrix([A, 1], 4, 2),
    wordEmbedding: randomMatrix([V, E], 5), project: randomMatrix([U, E], 6), projectBias: randomMatrix([E], 7),
    logitsBias: randomMatrix([V], 8),
    lstms: lstmInputs.map((inputs, l) => ({ kernel: randomMatrix([inputs + U, 4 * U], 10 + l), bias: randomMatrix([4 * U], 20 + l, 0.5) })),
  };
}

/** Plain-JS decoder, written from training/attend.py's equations: one step for one photo's regions. */
function referenceStep(kind: AttentionKind, w: AttendDecoderWeights, vectors: Float32Array[], input: ArrayLike<number>, state: number[]) {
  const keys = vectors.map((v) => plus(rowTimes(v, w.attentionRegion.data, A), w.attentionRegionBias.data));
  const attend = (query: ArrayLike<number>) => {
    const q = rowTimes(query, w.attentionState.data, A);
    const weights = softmax(keys.map((key) => rowTimes(plus(key, q).map(Math.tanh), w.attentionScore.data, 1)[0]));
    return Float32Array.from({ length: E }, (_, e) => vectors.reduce((sum, v, r) => sum + weights[r] * v[e], 0));
  };
  const lstm = (l: number, x: number[], c: number[], h: number[]) => basicLstmCell(w.lstms[l].kernel.data, w.lstms[l].bias.data, x, c, h);
  const part = (k: number) => state.slice(k * U, (k + 1) * U);
  if (kind === 'topdown') {
    const mean = Float32Array.from({ length: E }, (_, e) => vectors.reduce((sum, v) => sum + v[e], 0) / vectors.length);
    const first = lstm(0, [...part(3), ...mean, ...Array.from(input)], part(0), part(1));
    const second = lstm(1, [...attend(first.h), ...first.h], part(2), part(3));
    return { output: second.h, state: [...first.c, ...first.h, ...second.c, ...second.h] };
  }
  const cell = lstm(0, [...Array.from(input), ...attend(part(1))], part(0), part(1));
  return { output: cell.h, state: [...cell.c, ...cell.h] };
}

/** The softmax, with attend.py's evidence terms when given: coefficients · (score, log max(score, floor), 1) per object word. */
function referenceSoftmax(w: AttendDecoderWeights, output: ArrayLike<number>, evidence?: { spec: WordEvidenceSpec; classScores: number[] }) {
  const projected = plus(rowTimes(output, w.project.data, E), w.projectBias.data);
  const logits = Array.from({ length: V }, (_, v) => row(w.wordEmbedding, v).reduce((sum, x, e) => sum + x * projected[e], w.logitsBias.data[v]));
  if (!evidence) return softmax(logits);
  const { spec, classScores } = evidence;
  const coefficients = plus(rowTimes(output, spec.coefficients.data, 3), spec.coefficientBiases.data);
  return softmax(logits.map((logit, v) => {
    const label = spec.wordClasses[v];
    if (label === spec.classCount) return logit;
    const score = classScores[label];
    return logit + coefficients[0] * score + coefficients[1] * Math.log(Math.max(score, spec.floor)) + coefficients[2];
  }));
}

describe('tools/graph/attend-decoder', () => {
  let dir: string;
  beforeAll(async () => {
    await initNodeBackend('cpu');
    dir = await mkdtemp(path.join(os.tmpdir(), 'attend-decoder-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(['topdown', 'soft'] as const)('the %s decoder matches a plain-JS one: initial state, regions, and a batched step', async (kind) => {
    const weights = weightsFor(kind);
    const graph = new GraphBuilder();
    const { stateSize } = addAttendDecoder(graph, {
      kind, units: U, regionCount: R, forgetBias: 1, weights,
      regionVectors: graph.placeholder('vectors', 'float32', [R, E]),
      imageEmbedding: graph.placeholder('image_embedding', 'float32', [1, E]),
    });
    expect(stateSize).toBe((kind === 'topdown' ? 4 : 2) * U);
    const modelDir = path.join(dir, kind);
    await writeGraphModel(modelDir, graph.build());
    const model = await loadGraphModel(fileModelHandler(path.join(modelDir, 'model.json')));

    const vectors = Array.from({ length: R }, (_, r) => randomMatrix([E], 30 + r).data.map(Math.abs));
    const image = randomMatrix([E], 40).data;
    const [initial, regions] = model.execute(
      { vectors: tf.tensor2d(vectors.map((v) => Array.from(v))), image_embedding: tf.tensor2d(image, [1, E]) },
      [DEFAULT_NODES.initialState, REGIONS_OUTPUT],
    ) as tf.Tensor2D[];
    const first = referenceStep(kind, weights, vectors, image, new Array<number>(stateSize).fill(0));
    expect(initial.shape).toEqual([1, stateSize]);
    Array.from(initial.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(first.state[k], 5));
    expect(regions.shape).toEqual([R, E + A]);

    // Two beams of the same photo, different words and states, in one call that takes the regions back.
    const states = [first.state, Array.from(randomMatrix([stateSize], 50).data)];
    const words = [2, 5];
    const [probabilities, state] = model.execute(
      { [DEFAULT_NODES.inputFeed]: tf.tensor1d(words, 'int32'), [DEFAULT_NODES.stateFeed]: tf.tensor2d(states), [REGIONS_FEED]: regions },
      [DEFAULT_NODES.softmax, DEFAULT_NODES.state],
    ) as tf.Tensor2D[];
    const [gotProbabilities, gotState] = [probabilities.arraySync(), state.arraySync()];
    words.forEach((word, b) => {
      const expected = referenceStep(kind, weights, vectors, row(weights.wordEmbedding, word), states[b]);
      gotState[b].forEach((v, k) => expect(v).toBeCloseTo(expected.state[k], 5));
      const expectedProbabilities = referenceSoftmax(weights, expected.output);
      gotProbabilities[b].forEach((p, v) => expect(p).toBeCloseTo(expectedProbabilities[v], 5));
    });
    tf.dispose([initial, regions, probabilities, state]);
    model.dispose();
  });

  it('weighs the detector\'s evidence: the class scores ride in one more row of the regions, and each object word\'s logit moves by the step\'s coefficients', async () => {
    const weights = weightsFor('topdown');
    const C = 3;
    const graph = new GraphBuilder();
    const evidence: WordEvidenceSpec = {
      classScores: graph.placeholder('class_scores', 'float32', [1, C]),
      classCount: C,
      wordClasses: Int32Array.of(0, C, 2, C, 1, 0),
      floor: 0.01,
      coefficients: randomMatrix([U, 3], 60, 2),
      coefficientBiases: randomMatrix([3], 61),
    };
    const { stateSize, photoRows } = addAttendDecoder(graph, {
      kind: 'topdown', units: U, regionCount: R, forgetBias: 1, weights, evidence,
      regionVectors: graph.placeholder('vectors', 'float32', [R, E]),
      imageEmbedding: graph.placeholder('image_embedding', 'float32', [1, E]),
    });
    expect(photoRows).toBe(R + 1);
    const modelDir = path.join(dir, 'evidence');
    await writeGraphModel(modelDir, graph.build());
    const model = await loadGraphModel(fileModelHandler(path.join(modelDir, 'model.json')));

    const vectors = Array.from({ length: R }, (_, r) => randomMatrix([E], 30 + r).data.map(Math.abs));
    const image = randomMatrix([E], 40).data;
    const classScores = [0.8, 0.001, 0.3]; // class 1 under the floor
    const [initial, regions] = model.execute(
      { vectors: tf.tensor2d(vectors.map((v) => Array.from(v))), image_embedding: tf.tensor2d(image, [1, E]), class_scores: tf.tensor2d([classScores]) },
      [DEFAULT_NODES.initialState, REGIONS_OUTPUT],
    ) as tf.Tensor2D[];
    expect(regions.shape).toEqual([R + 1, E + A]);
    Array.from(regions.dataSync().subarray(R * (E + A))).forEach((v, k) => expect(v).toBeCloseTo(classScores[k] ?? 0, 6));

    const states = [Array.from(initial.dataSync()), Array.from(randomMatrix([stateSize], 50).data)];
    const words = [2, 5];
    const [probabilities] = model.execute(
      { [DEFAULT_NODES.inputFeed]: tf.tensor1d(words, 'int32'), [DEFAULT_NODES.stateFeed]: tf.tensor2d(states), [REGIONS_FEED]: regions },
      [DEFAULT_NODES.softmax, DEFAULT_NODES.state],
    ) as tf.Tensor2D[];
    const got = probabilities.arraySync();
    words.forEach((word, b) => {
      const expected = referenceStep('topdown', weights, vectors, row(weights.wordEmbedding, word), states[b]);
      const expectedProbabilities = referenceSoftmax(weights, expected.output, { spec: evidence, classScores });
      got[b].forEach((p, v) => expect(p).toBeCloseTo(expectedProbabilities[v], 5));
    });
    tf.dispose([initial, regions, probabilities]);
    model.dispose();
  });
});
