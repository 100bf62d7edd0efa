import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaptioner } from '../../src/captioner';
import { imageToTensor } from '../../src/captioner/preprocess';
import { folderPackageFiles } from '../../src/node/package-files';
import { fileModelHandler, initNodeBackend } from '../../src/node/runtime';
import { DEFAULT_SHARD_BYTES } from '../../tools/graph';
import { decodeGraphDef, encodeGraphDef } from '../../tools/convert/graphdef';
import { convertShowAndTell, type ConvertOptions } from '../../tools/convert/write-package';
import {
  buildTestGraph,
  createTestWeights,
  differencesFromReference,
  EXPECTED_CAPTION,
  RESIZE,
  randomSource,
  referenceCaptions,
  referenceInitialState,
  referenceStep,
  STATE_SIZE,
  TEST_WORD_COUNTS,
  TEST_WORDS,
  tfNormalise,
  VOCABULARY_SIZE,
  type TestGraphOptions,
  type TestWeights,
} from './im2txt-test-graph';

let workDir: string;

beforeAll(async () => {
  await initNodeBackend('cpu');
  workDir = await mkdtemp(path.join(os.tmpdir(), 'convert-test-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

let packageCount = 0;

/** Writes show-and-tell.pb + word_counts.txt for a test graph and converts them into a fresh folder. */
async function convertTestGraph(
  weights: TestWeights,
  options: Partial<ConvertOptions> & { graphOptions?: TestGraphOptions; graphBytes?: Uint8Array; wordCounts?: string } = {},
) {
  const dir = path.join(workDir, `case${++packageCount}`);
  const graph = path.join(workDir, `case${packageCount}.pb`);
  const vocab = path.join(workDir, `case${packageCount}-word_counts.txt`);
  await writeFile(graph, options.graphBytes ?? encodeGraphDef(buildTestGraph(weights, options.graphOptions)));
  await writeFile(vocab, options.wordCounts ?? TEST_WORD_COUNTS);
  const out = path.join(dir, 'models', 'im2txt');
  const convert = () => convertShowAndTell({ graph, vocab, out, ...options });
  return { out, modelsJson: path.join(dir, 'models', 'models.json'), convert };
}

function randomImage(seed: number): Float32Array {
  const random = randomSource(seed);
  return Float32Array.from({ length: RESIZE * RESIZE * 3 }, () => random());
}

async function expectClose(actual: tf.Tensor, expected: ArrayLike<number>, tolerance: number): Promise<void> {
  const values = await actual.data();
  expect(values.length).toBe(expected.length);
  const worst = Math.max(...Array.from(values, (value, i) => Math.abs(value - expected[i])));
  expect(worst).toBeLessThan(tolerance);
}

/** Runs every endpoint of the converted graph and compares with the plain-JS evaluation of the weights. */
async function expectReferenceOutputs(graph: GraphModel, weights: TestWeights, tolerance: number): Promise<void> {
  const image = randomImage(7);
  const initial = graph.execute({ image: tf.tensor4d(image, [1, RESIZE, RESIZE, 3]) }, 'lstm/initial_state') as tf.Tensor;
  expect(initial.shape).toEqual([1, STATE_SIZE]);
  await expectClose(initial, referenceInitialState(weights, image), tolerance);

  const random = randomSource(11);
  const wordIds = [1, 8, VOCABULARY_SIZE - 1]; // <S>, a word, the unknown word
  const states = wordIds.map(() => Float32Array.from({ length: STATE_SIZE }, () => random()));
  const [softmax, state] = graph.execute(
    { input_feed: tf.tensor1d(wordIds, 'int32'), 'lstm/state_feed': tf.tensor2d(states.flatMap((row) => Array.from(row)), [wordIds.length, STATE_SIZE]) },
    ['softmax', 'lstm/state'],
  ) as tf.Tensor[];
  const expected = wordIds.map((id, row) => referenceStep(weights, id, states[row]));
  expect(softmax.shape).toEqual([wordIds.length, VOCABULARY_SIZE]);
  await expectClose(softmax, expected.flatMap((step) => Array.from(step.softmax)), tolerance);
  await expectClose(state, expected.flatMap((step) => Array.from(step.state)), tolerance);
}

describe('GraphDef protobuf', () => {
  it('decodes what the test graph builder encodes, constants included', () => {
    const weights = createTestWeights(1);
    const graph = buildTestGraph(weights);
    const decoded = decodeGraphDef(encodeGraphDef(graph));
    expect(decoded.node.map((node) => node.name)).toEqual(graph.node.map((node) => node.name));
    const kernel = decoded.node.find((node) => node.name === 'lstm/basic_lstm_cell/kernel')!;
    expect(new Float32Array(new Uint8Array(kernel.attr.value!.tensor!.tensorContent!).buffer)).toEqual(weights.lstmKernel);
    expect(decoded.node.find((node) => node.name === 'input_feed')!.attr.dtype.type).toBe('DT_INT64');
  });
});

describe('convert show-and-tell.pb', () => {
  it('writes a package with the five endpoints, a float image input and no decode front', async () => {
    const { out, modelsJson, convert } = await convertTestGraph(createTestWeights(1));
    const result = await convert();
    const modelJson = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8'));
    const nodes: { name: string; op: string; attr: Record<string, { type?: string; shape?: unknown }> }[] = modelJson.modelTopology.node;
    const ops = new Set(nodes.map((node) => node.op));
    const byName = new Map(nodes.map((node) => [node.name, node]));

    for (const gone of ['DecodeJpeg', 'Assert', 'SaveV2', 'ScalarSummary', 'VariableV2', 'Identity', 'FusedBatchNorm', 'Fill', 'Rsqrt']) expect(ops).not.toContain(gone);
    // The LSTM's zero state, Fill in the GraphDef, is computed once and kept under its name.
    expect(byName.get('lstm/BasicLSTMCellZeroState/zeros')!.op).toBe('Const');
    expect(byName.has('image_feed')).toBe(false);
    expect(byName.get('image')!.attr.shape).toEqual({ shape: { dim: [1, RESIZE, RESIZE, 3].map((size) => ({ size: String(size) })) } });
    expect(byName.get('input_feed')!.attr.dtype).toEqual({ type: 'DT_INT32' });
    for (const endpoint of ['lstm/initial_state', 'lstm/state_feed', 'softmax', 'lstm/state']) expect(byName.has(endpoint)).toBe(true);
    expect(result.stats).toMatchObject({ foldedBatchNorms: 1, droppedSoftmaxColumns: 0 });
    expect(result.stats.foldedConstants).toBe(6); // 2 Fills, and the unfused batch norm's add, Rsqrt, mul_1 and sub

    const card = JSON.parse(await readFile(path.join(out, 'card.json'), 'utf8'));
    expect(card).toMatchObject({ id: 'im2txt', fixture: false, stateSize: STATE_SIZE, vocabularySize: VOCABULARY_SIZE });
    expect(card.image).toMatchObject({ height: RESIZE, width: RESIZE, resize: 'squash', offset: -1 });
    expect(card.image.scale).toBeCloseTo(2 / 255, 8); // float32 constants in the graph
    expect(await readFile(path.join(out, 'word_counts.txt'), 'utf8')).toBe(TEST_WORD_COUNTS);
    expect(JSON.parse(await readFile(modelsJson, 'utf8'))).toEqual({
      default: 'im2txt',
      models: [{ id: 'im2txt', name: card.name, language: 'en', fixture: false }],
    });
    for (const file of await readdir(out)) expect((await stat(path.join(out, file))).size).toBeLessThanOrEqual(DEFAULT_SHARD_BYTES);
  });

  it.each([
    { label: 'batch norm folded', foldBatchNorm: true, quantize: undefined, tolerance: 1e-4 },
    { label: 'batch norm kept', foldBatchNorm: false, quantize: undefined, tolerance: 1e-4 },
    { label: 'float16 weights', foldBatchNorm: true, quantize: 'float16' as const, tolerance: 2e-2 },
  ])('runs in tfjs with the outputs computed from the weights ($label)', async ({ foldBatchNorm, quantize, tolerance }) => {
    const weights = createTestWeights(2);
    const { out, convert } = await convertTestGraph(weights, { foldBatchNorm, quantize });
    await convert();
    const graph = await loadGraphModel(fileModelHandler(path.join(out, 'model.json')));
    await expectReferenceOutputs(graph, weights, tolerance);
    graph.dispose();
  });

  it("feeds pixels the way the tutorial's graph does: (x/255 − 0.5) × 2 of the resized photo", async () => {
    const weights = createTestWeights(3);
    const { out, convert } = await convertTestGraph(weights);
    const { card } = await convert();
    const random = randomSource(5);
    const rgba = Uint8Array.from({ length: RESIZE * RESIZE * 4 }, () => Math.floor((random() + 1) * 128));
    const rgb = rgba.filter((_, i) => i % 4 !== 3);
    const input = imageToTensor({ width: RESIZE, height: RESIZE, data: rgba }, card.image);
    await expectClose(input, tfNormalise(rgb), 1e-5);

    const graph = await loadGraphModel(fileModelHandler(path.join(out, 'model.json')));
    await expectClose(graph.execute({ image: input }, 'lstm/initial_state') as tf.Tensor, referenceInitialState(weights, tfNormalise(rgb)), 1e-4);
    graph.dispose();
  });

  it("the captioner's beam search over the converted model gives the reference's captions and p", async () => {
    const weights = createTestWeights(4, { captionChain: true });
    const { out, convert } = await convertTestGraph(weights);
    await convert();
    const captioner = await loadCaptioner(folderPackageFiles(out));
    const photo = { width: 40, height: 30, data: new Uint8Array(40 * 30 * 4).fill(90) };
    const { captions, objects } = await captioner.caption(photo, { beamSize: 3 });
    expect(objects).toBeNull();
    captioner.dispose();
    expect(captions[0].words).toEqual(EXPECTED_CAPTION);
    expect(differencesFromReference(captions, referenceCaptions(weights, 90))).toEqual([]);
  });

  it("drops logits columns past a smaller word_counts.txt (im2txt's vocab_size 12000 > its ~11500 words)", async () => {
    const weights = createTestWeights(6);
    const kept = VOCABULARY_SIZE - 2;
    const wordCounts = TEST_WORD_COUNTS.split('\n').slice(0, kept - 1).join('\n');
    const { out, convert } = await convertTestGraph(weights, { wordCounts });
    const result = await convert();
    expect(result.stats.droppedSoftmaxColumns).toBe(2);
    expect(result.card.vocabularySize).toBe(kept);

    const random = randomSource(3);
    const state = Float32Array.from({ length: STATE_SIZE }, () => random());
    const graph = await loadGraphModel(fileModelHandler(path.join(out, 'model.json')));
    const softmax = graph.execute({ input_feed: tf.tensor1d([1], 'int32'), 'lstm/state_feed': tf.tensor2d(state, [1, STATE_SIZE]) }, 'softmax') as tf.Tensor;
    const full = referenceStep(weights, 1, state).softmax.subarray(0, kept);
    const total = full.reduce((a, b) => a + b);
    await expectClose(softmax, full.map((p) => p / total), 1e-5);
    graph.dispose();
  });

  it('keeps the other models in models.json and their default', async () => {
    const { modelsJson, convert } = await convertTestGraph(createTestWeights(1));
    const other = { id: 'trained', name: 'Trained here', fixture: false };
    await mkdir(path.dirname(modelsJson), { recursive: true });
    await writeFile(modelsJson, JSON.stringify({ default: 'trained', models: [other] }));
    const { card } = await convert();
    expect(JSON.parse(await readFile(modelsJson, 'utf8'))).toEqual({
      default: 'trained',
      // A missing language is English, and written out as such.
      models: [{ ...other, language: 'en' }, { id: 'im2txt', name: card.name, language: 'en', fixture: false }],
    });
  });
});

describe('convert refuses bad input and writes nothing', () => {
  const weights = createTestWeights(1);

  it.each([
    { label: 'random bytes', bytes: Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251), message: /not a binary TensorFlow GraphDef/ },
    { label: 'a text GraphDef', bytes: new TextEncoder().encode('node {\n  name: "image_feed"\n}'), message: /text GraphDef/ },
    { label: 'an empty file', bytes: new Uint8Array(0), message: /empty/ },
  ])('not a GraphDef: $label', async ({ bytes, message }) => {
    const { out, modelsJson, convert } = await convertTestGraph(weights, { graphBytes: bytes });
    await expect(convert()).rejects.toThrow(message);
    await expectNothingWritten(out, modelsJson);
  });

  it('missing endpoints are named', async () => {
    const { out, modelsJson, convert } = await convertTestGraph(weights, { graphOptions: { omit: ['lstm/state_feed', 'softmax'] } });
    await expect(convert()).rejects.toThrow('the graph lacks im2txt endpoint nodes: lstm/state_feed, softmax');
    await expectNothingWritten(out, modelsJson);
  });

  it('a vocabulary larger than the softmax', async () => {
    const wordCounts = `${TEST_WORD_COUNTS}zebra 1\n`;
    const { out, modelsJson, convert } = await convertTestGraph(weights, { wordCounts });
    await expect(convert()).rejects.toThrow(
      `word_counts.txt has ${TEST_WORDS.length + 1} words, so the softmax needs ${VOCABULARY_SIZE + 1} columns (one more, for the unknown word), but the graph's softmax has only ${VOCABULARY_SIZE}`,
    );
    await expectNothingWritten(out, modelsJson);
  });

  it('ops tfjs cannot run are listed with their nodes', async () => {
    const replaceOps = { 'InceptionV3/InceptionV3/Conv2d_2a_3x3/Relu': 'Softsign', 'lstm/basic_lstm_cell_1/Tanh_1': 'Erfinv' };
    const { out, modelsJson, convert } = await convertTestGraph(weights, { graphOptions: { replaceOps } });
    const error = await convert().catch((caught: Error) => caught);
    expect(String(error)).toContain('Softsign: InceptionV3/InceptionV3/Conv2d_2a_3x3/Relu');
    expect(String(error)).toContain('Erfinv: lstm/basic_lstm_cell_1/Tanh_1');
    await expectNothingWritten(out, modelsJson);
  });

  it('an op tfjs runs but the app worker does not carry is refused too', async () => {
    const replaceOps = { 'InceptionV3/InceptionV3/Conv2d_2a_3x3/Relu': 'Elu' };
    const { out, modelsJson, convert } = await convertTestGraph(weights, { graphOptions: { replaceOps } });
    await expect(convert()).rejects.toThrow('Elu: InceptionV3/InceptionV3/Conv2d_2a_3x3/Relu');
    await expectNothingWritten(out, modelsJson);
  });

  it('an image front it cannot read', async () => {
    const replaceOps = { Sub: 'SquaredDifference' };
    const { out, modelsJson, convert } = await convertTestGraph(weights, { graphOptions: { replaceOps } });
    await expect(convert()).rejects.toThrow('cannot interpret image preprocessing node Sub (SquaredDifference)');
    await expectNothingWritten(out, modelsJson);
  });

  async function expectNothingWritten(out: string, modelsJson: string): Promise<void> {
    await expect(stat(path.dirname(out))).rejects.toThrow(/ENOENT/);
    await expect(stat(modelsJson)).rejects.toThrow(/ENOENT/);
  }
});
