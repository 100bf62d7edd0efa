import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileModelHandler, initNodeBackend } from '../../src/node/runtime';
import { exportModel, type PerChannelChoice } from '../../training/export';
import { unpackDecoder } from '../../training/unpack';
import { PRECISION_FILE, type PrecisionChoice } from '../../training/weight-precision';
import { REPO_ROOT } from './helpers/fixture';

const MODELS = path.join(REPO_ROOT, 'public/models');
const DECODER_WEIGHTS = ['image_embedding/weights', 'image_embedding/biases', 'seq_embedding/map', 'lstm/basic_lstm_cell/kernel', 'lstm/basic_lstm_cell/bias', 'logits/weights', 'logits/biases'];

const PER_CHANNEL_FILE = path.join(REPO_ROOT, 'training/uint8-per-channel.json');

/** Unpacks the package in MODEL_DIR and exports it again with its own card and quantisation; loads both. */
async function unpackAndExportAgain(modelDir: string, uint8Weights?: readonly string[], uint8PerChannel?: readonly string[]) {
  await initNodeBackend('wasm');
  const parent = path.join(REPO_ROOT, '.cache', 'test-fixtures');
  await mkdir(parent, { recursive: true });
  const work = await mkdtemp(path.join(parent, 'unpack-'));
  await unpackDecoder(modelDir, path.join(work, 'run'));
  const card = JSON.parse(await readFile(path.join(modelDir, 'card.json'), 'utf8'));
  await exportModel({ runDir: path.join(work, 'run'), vocabFile: path.join(modelDir, 'word_counts.txt'), outDir: path.join(work, 'package'), quantize: 'uint8', uint8Weights, uint8PerChannel, card });
  const [original, reexported] = await Promise.all([modelDir, path.join(work, 'package')].map((dir) => loadGraphModel(fileModelHandler(path.join(dir, 'model.json')))));
  return { work, original, reexported };
}

/** The weight NAME of both models has the same shape and values within 1e-5 of its range. */
function expectSameWeight(original: GraphModel, reexported: GraphModel, name: string) {
  const [before, after] = [original.weights[name][0], reexported.weights[name][0]];
  expect(after.shape, name).toEqual(before.shape);
  const range = tf.tidy(() => tf.sub(tf.max(before), tf.min(before)).dataSync()[0]);
  const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(before, after))).dataSync()[0]);
  expect(difference, name).toBeLessThanOrEqual(range * 1e-5);
}

/** unpack.ts lets training continue from a shipped package: exporting what it unpacks must give the package back. */
describe('unpacking the im2txt-decoder package', async () => {
  const modelDir = path.join(MODELS, 'show-and-tell-centernet');
  let original: GraphModel;
  let reexported: GraphModel;
  let work: string;

  beforeAll(async () => {
    // Same quantisation as the shipped package, so the weights must come back as they were.
    ({ work, original, reexported } = await unpackAndExportAgain(modelDir));
  }, 120_000);

  it.each(DECODER_WEIGHTS)('gives back %s', (name) => expectSameWeight(original, reexported, name));

  it('writes the weights --uint8-weights names in 8 bits, and refuses names the graph lacks', async () => {
    const card = JSON.parse(await readFile(path.join(modelDir, 'card.json'), 'utf8'));
    const detectorLayer = 'MobilenetV3/expanded_conv_14/squeeze_excite/Conv/weights';
    const options = { runDir: path.join(work, 'run'), vocabFile: path.join(modelDir, 'word_counts.txt'), outDir: path.join(work, 'uint8'), quantize: 'uint8' as const, card };
    await exportModel({ ...options, uint8Weights: [detectorLayer] });
    const manifest = JSON.parse(await readFile(path.join(work, 'uint8', 'model.json'), 'utf8')).weightsManifest[0].weights as { name: string; quantization?: { dtype: string } }[];
    const storage = (name: string) => manifest.find((weight) => weight.name === name)?.quantization?.dtype;
    expect(storage(detectorLayer)).toBe('uint8');
    expect(storage('MobilenetV3/expanded_conv_13/squeeze_excite/Conv/weights')).toBe('float16');
    await expect(exportModel({ ...options, uint8Weights: ['no/such/weight'] })).rejects.toThrow(/no\/such\/weight/);
  }, 60_000);
});

/** The attending default: unpack.ts reassembles its LSTM kernels and gives back every decoder weight. */
describe('unpacking the attending package', () => {
  const modelDir = path.join(MODELS, 'show-and-tell-attend');
  let original: GraphModel;
  let reexported: GraphModel;
  let work: string;

  beforeAll(async () => {
    const { uint8: uint8Weights } = JSON.parse(await readFile(PRECISION_FILE, 'utf8')) as PrecisionChoice;
    const { perChannel } = JSON.parse(await readFile(PER_CHANNEL_FILE, 'utf8')) as PerChannelChoice;
    ({ work, original, reexported } = await unpackAndExportAgain(modelDir, uint8Weights, perChannel));
  }, 120_000);

  it('writes the header attend.py --init-weights insists on: top-down attention, the card\'s units, forget bias 1', async () => {
    const card = JSON.parse(await readFile(path.join(modelDir, 'card.json'), 'utf8')) as { training: { decoder: string } };
    const cardUnits = Number(/LSTM of (\d+) units/.exec(card.training.decoder)?.[1]);
    const run = JSON.parse(await readFile(path.join(work, 'run', 'weights.json'), 'utf8')) as { attention: string; units: number; forgetBias: number; tensors: Record<string, { shape: number[] }> };
    expect({ attention: run.attention, units: run.units, forgetBias: run.forgetBias }).toEqual({ attention: 'topdown', units: cardUnits, forgetBias: 1 });
    // Each LSTM's kernel is whole again: its parts' rows in one matrix, one column per gate and unit.
    for (const lstm of ['attention_lstm', 'language_lstm']) expect(run.tensors[`${lstm}/kernel`].shape[1], lstm).toBe(4 * cardUnits);
    // weights.bin holds exactly the float32 tensors the header lists.
    const floats = Object.values(run.tensors).reduce((sum, { shape }) => sum + shape.reduce((a, b) => a * b, 1), 0);
    expect((await stat(path.join(work, 'run', 'weights.bin'))).size).toBe(4 * floats);
  });

  it('gives back every weight, the encoder’s filters in 8 bits with their channel scales included', () => {
    const names = Object.keys(original.weights);
    const { perChannel } = JSON.parse(readFileSync(PER_CHANNEL_FILE, 'utf8')) as PerChannelChoice;
    expect(perChannel.length).toBeGreaterThan(0);
    expect(names.filter((name) => name.endsWith('/channel_scale')).length).toBe(perChannel.length);
    expect(Object.keys(reexported.weights).sort()).toEqual([...names].sort());
    for (const name of names) expectSameWeight(original, reexported, name);
  });

  it('cuts the vocabulary to the words counted at least --min-word-count times, keeping their rows and the unknown word’s', async () => {
    const card = JSON.parse(await readFile(path.join(modelDir, 'card.json'), 'utf8'));
    const vocabFile = path.join(modelDir, 'word_counts.txt');
    const outDir = path.join(work, 'cut');
    await exportModel({ runDir: path.join(work, 'run'), vocabFile, outDir, quantize: 'uint8', card, minWordCount: 500 });
    const lines = (text: string) => text.trim().split('\n').map((line) => line.split(' '));
    const before = lines(await readFile(vocabFile, 'utf8'));
    const after = lines(await readFile(path.join(outDir, 'word_counts.txt'), 'utf8'));
    expect(after).toEqual(before.filter(([, count]) => Number(count) >= 500));
    const cut = await loadGraphModel(fileModelHandler(path.join(outDir, 'model.json')));
    const rows = [...after.map(([word]) => before.findIndex(([w]) => w === word)), before.length];
    const [embedding, bias] = ['seq_embedding/map', 'logits/biases'].map((name) => tf.gather(original.weights[name][0], rows));
    expect(cut.weights['seq_embedding/map'][0].shape).toEqual([after.length + 1, embedding.shape[1]]);
    expect(tf.max(tf.abs(tf.sub(cut.weights['seq_embedding/map'][0], embedding))).dataSync()[0]).toBeLessThan(0.05);
    expect(tf.max(tf.abs(tf.sub(cut.weights['logits/biases'][0], bias))).dataSync()[0]).toBeLessThan(1e-2);
    expect(JSON.parse(await readFile(path.join(outDir, 'card.json'), 'utf8')).vocabularySize).toBe(after.length + 1);
    tf.dispose([embedding, bias]);
    cut.dispose();
  }, 60_000);
});
