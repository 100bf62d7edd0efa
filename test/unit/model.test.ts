import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaptioner, ShowAndTellModel, type PackageFiles } from '../../src/captioner';
import { imageToTensor } from '../../src/captioner/preprocess';
import { folderPackageFiles } from '../../src/node/package-files';
import { fileModelHandler, initNodeBackend } from '../../src/node/runtime';
import { FIXTURE_CAPTIONS } from '../../tools/fixture/make-fixture-model';
import { greyImage, useFixtureCaptioner } from './helpers/fixture';

describe('ShowAndTellModel on the fixture package', () => {
  const fixture = useFixtureCaptioner();
  let model: ShowAndTellModel;

  const source = async (changes: { cardJson?: string; wordCounts?: string } = {}) => ({
    model: fileModelHandler(path.join(fixture.dir, 'model.json')),
    cardJson: await readFile(path.join(fixture.dir, 'card.json'), 'utf8'),
    wordCounts: await readFile(path.join(fixture.dir, 'word_counts.txt'), 'utf8'),
    ...changes,
  });

  beforeAll(async () => {
    model = await ShowAndTellModel.load(await source());
  });
  afterAll(() => model.dispose());

  it('captions bright and dark images as designed', async () => {
    const { captions: bright, objects } = await fixture.captioner.caption(greyImage(64, 48, 250));
    expect(objects).toBeNull(); // the fixture exposes no detections
    expect(bright.map((c) => c.text)).toEqual(FIXTURE_CAPTIONS.bright);
    expect(bright[0].words).toEqual(['a', 'white', 'square', '.']);
    expect(bright[0].p).toBeCloseTo(0.8 * 0.7, 2);
    expect(bright[0].p).toBeCloseTo(Math.exp(bright[0].logProb), 12);
    const { captions: dark } = await fixture.captioner.caption(greyImage(48, 64, 5), { beamSize: 2 });
    expect(dark.map((c) => c.text)).toEqual(FIXTURE_CAPTIONS.dark.slice(0, 2));
  });

  it('streams the live beam, with the bytes each step read back', async () => {
    const updates: { step: number; readBackBytes: number }[] = [];
    await fixture.captioner.caption(greyImage(8, 8, 255), {}, ({ step, readBackBytes }) => updates.push({ step, readBackBytes }));
    expect(updates.map((update) => update.step)).toEqual([1, 2, 3, 4, 5]); // <S> a white square . </S>
    // The first step has one row (the start word), later ones up to beamSize rows; k = beamSize + 1 = 4
    // (one more than the beam, so that the unknown word, never said, can be passed over).
    expect(updates[0].readBackBytes).toBe(1 * 4 * 8);
    expect(updates.every((update) => update.readBackBytes > 0 && update.readBackBytes <= 3 * 4 * 8)).toBe(true);
  });

  it('reads back only beam*k ids and probabilities per step, in one execute call, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const backend = tf.backend();
    const originalRead = backend.read.bind(backend);
    let bytesRead = 0;
    backend.read = async (dataId) => {
      const values = await originalRead(dataId);
      bytesRead += (values as ArrayBufferView).byteLength;
      return values;
    };
    try {
      const initial = tf.tidy(() => model.feedImage(imageToTensor(greyImage(16, 16, 255), model.card.image)));
      expect(initial.shape).toEqual([1, model.card.stateSize]);
      const beams = model.gatherRows(initial, Int32Array.of(0, 0, 0));
      const feed = Int32Array.of(model.vocabulary.startId, model.vocabulary.id('a'), model.vocabulary.id('white'));
      const result = await model.step(feed, beams, 3);
      expect(result.readBackBytes).toBe(3 * 3 * 8);
      expect(bytesRead).toBe(3 * 3 * 8);
      expect(result.state.shape).toEqual([3, model.card.stateSize]);
      expect(Array.from(result.wordIds.filter((_, j) => j % 3 === 0), (id) => model.vocabulary.word(id))).toEqual(['a', 'white', 'square']);
      result.logProbs.forEach((logProb) => expect(logProb).toBeLessThanOrEqual(0));
      tf.dispose([initial, beams, result.state]);
    } finally {
      backend.read = originalRead;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(['cpu', 'wasm'] as const)("with a prior, reports each row's own log-probabilities for any k (%s)", async (backend) => {
    await initNodeBackend(backend);
    const onBackend = await ShowAndTellModel.load(await source());
    const columns = onBackend.card.vocabularySize;
    const prior = { table: new Float32Array(columns), rows: 1, rowAfter: new Map<number, number>(), entryClass: new Int16Array(columns).fill(-1), repeatPrior: 0, ceiling: 0 };
    const initial = tf.tidy(() => onBackend.feedImage(imageToTensor(greyImage(16, 16, 255), onBackend.card.image)));
    const beams = onBackend.gatherRows(initial, Int32Array.of(0, 0));
    const feed = Int32Array.of(onBackend.vocabulary.id('a'), onBackend.vocabulary.id('white'));
    // k differs from the number of rows (2): a gather that mixed rows up would show here.
    const k = 4;
    const result = await onBackend.step(feed, beams, k, { prior });
    const [softmax, state] = onBackend.run(feed, beams);
    const probabilities = softmax.arraySync() as number[][];
    result.wordIds.forEach((wordId, j) => expect(result.modelLogProbs![j]).toBeCloseTo(Math.log(probabilities[Math.floor(j / k)][wordId]), 5));
    tf.dispose([initial, beams, result.state, softmax, state]);
    onBackend.dispose();
    await initNodeBackend('cpu');
  });

  it("adds each row's prior as its caption so far makes it: a class named before gets the repeat prior", async () => {
    const columns = model.card.vocabularySize;
    const white = model.vocabulary.id('white');
    // "white" names class 0, and its evidence adds 2.
    const table = new Float32Array(columns);
    table[white] = 2;
    const entryClass = new Int16Array(columns).fill(-1);
    entryClass[white] = 0;
    const prior = { table, rows: 1, rowAfter: new Map<number, number>(), entryClass, repeatPrior: -0.5, ceiling: 2 };
    const { startId } = model.vocabulary;
    const a = model.vocabulary.id('a');
    const initial = tf.tidy(() => model.feedImage(imageToTensor(greyImage(16, 16, 255), model.card.image)));
    const beams = model.gatherRows(initial, Int32Array.of(0, 0));
    const result = await model.step(Int32Array.of(a, a), beams, columns, { prior }, [
      [startId, a],
      [startId, white, a],
    ]);
    const addedToWhite = (row: number) => {
      const j = result.wordIds.subarray(row * columns, (row + 1) * columns).indexOf(white) + row * columns;
      return result.logProbs[j] - result.modelLogProbs![j];
    };
    expect(addedToWhite(0)).toBeCloseTo(2, 5);
    expect(addedToWhite(1)).toBeCloseTo(-0.5, 5);
    tf.dispose([initial, beams, result.state]);
  });

  it("ends captions at the card's closing words, and refuses closing words the vocabulary lacks", async () => {
    const folder = folderPackageFiles(fixture.dir);
    const card = JSON.parse(await folder.readText('card.json'));
    const withSearch = (search: object): PackageFiles => ({
      ...folder,
      readText: async (name) => (name === 'card.json' ? JSON.stringify({ ...card, search }) : folder.readText(name)),
    });
    const closing = await loadCaptioner(withSearch({ closingWords: ['square'] }));
    try {
      const { captions } = await closing.caption(greyImage(64, 48, 250));
      expect(captions[0].words).toEqual(['a', 'white', 'square']);
      expect(captions[0].p).toBeCloseTo(0.8 * 0.7, 2);
    } finally {
      closing.dispose();
    }
    await expect(loadCaptioner(withSearch({ closingWords: ['zebra'] }))).rejects.toThrow('card.json search.closingWords: "zebra" is not in word_counts.txt');
  });

  it('refuses packages whose parts disagree', async () => {
    const words = (await readFile(path.join(fixture.dir, 'word_counts.txt'), 'utf8')).trimEnd().split('\n');
    await expect(ShowAndTellModel.load(await source({ wordCounts: words.slice(0, -1).join('\n') }))).rejects.toThrow(
      'word_counts.txt gives 9 softmax columns (8 words + unknown), card.json says vocabularySize 10',
    );
    const card = JSON.parse(await readFile(path.join(fixture.dir, 'card.json'), 'utf8'));
    const wrongState = JSON.stringify({ ...card, stateSize: card.stateSize + 2 });
    await expect(ShowAndTellModel.load(await source({ cardJson: wrongState }))).rejects.toThrow(/does not run as card.json describes|expects stateSize/);
    const wrongNode = JSON.stringify({ ...card, nodes: { softmax: 'logits' } });
    await expect(ShowAndTellModel.load(await source({ cardJson: wrongNode }))).rejects.toThrow('does not run as card.json describes');
    await expect(ShowAndTellModel.load(await source({ cardJson: '{' }))).rejects.toThrow('card.json is not valid JSON');
  });
});
