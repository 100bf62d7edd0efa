/**
 * Checks an exported package against the training framework: feeds the reference features into
 * `image_features` and compares the initial state, one step from <S> (state and log-probabilities).
 * An attending decoder's reference (training/attend.py) names validation photos instead: they go
 * through the whole graph, pixels to regions, as in the app.
 *
 * A package whose vocabulary was cut (export.ts --min-word-count) is compared on the words it kept,
 * the reference's log-probabilities renormalised over them; that needs the vocabulary the reference
 * was computed with (--reference-vocab: the run's word_counts.txt).
 *
 *   tsx training/parity.ts --model public/models/ID --reference .cache/runs/NAME/parity.json [--reference-vocab FILE] [--photos DIR]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { DEFAULT_NODES, parseModelCard } from '../src/captioner/card';
import { Vocabulary } from '../src/captioner/vocabulary';
import { imageToTensor, type RgbaImage } from '../src/captioner/preprocess';
import { isEntryPoint } from '../src/node/entry-point';
import { decodePhoto } from '../src/node/decode-photo';
import { fileModelHandler, initNodeBackend } from '../src/node/runtime';
import { centernetImageSpec, encodeFeatures, loadCenternet } from './encoder';
import { FEATURES_NODE } from './export';

export interface ParityReference {
  /** train.py: the photos' features (800 each). */
  features?: number[][];
  /** attend.py: the photos' file names (their regions come from the graph). */
  photos?: string[];
  initialState: number[][];
  inputFeed: number[];
  logProbs: number[][];
  state: number[][];
}

export interface ParityReport {
  initialState: number;
  state: number;
  logProbs: number;
}

/** How far the package's image_features are from the training encoder's: largest difference, and RMS difference / RMS. */
export async function checkEncoderParity(modelDir: string, photo: RgbaImage): Promise<{ maxAbsDifference: number; relativeRms: number }> {
  const [exported, centernet] = await Promise.all([loadGraphModel(fileModelHandler(path.join(modelDir, 'model.json'))), loadCenternet()]);
  const pixels = imageToTensor(photo, centernetImageSpec('squash'));
  const fromPackage = exported.execute({ [DEFAULT_NODES.image]: pixels }, FEATURES_NODE) as tf.Tensor2D;
  const fromEncoder = encodeFeatures(centernet, pixels);
  const difference = maxAbsDifference(fromPackage, fromEncoder.arraySync());
  const relativeRms = tf.tidy(() => tf.div(tf.norm(tf.sub(fromPackage, fromEncoder)), tf.norm(fromEncoder)).dataSync()[0]);
  tf.dispose([pixels, fromPackage, fromEncoder]);
  exported.dispose();
  centernet.dispose();
  return { maxAbsDifference: difference, relativeRms };
}

const maxAbsDifference = (a: tf.Tensor, b: number[][] | tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b instanceof tf.Tensor ? b : tf.tensor2d(b)))).dataSync()[0]);

/**
 * The reference's log-probabilities for the package's words only (its unknown word last), renormalised
 * over them as the package's softmax is; unchanged when both have the same vocabulary.
 */
function logProbsOverPackageWords(reference: number[][], packageWords: Vocabulary, referenceWords?: Vocabulary): tf.Tensor2D {
  const all = tf.tensor2d(reference);
  if (reference[0].length === packageWords.size) return all;
  if (!referenceWords || referenceWords.size !== reference[0].length) throw new Error(`the package has ${packageWords.size} words, the reference ${reference[0].length}: give the reference's vocabulary`);
  const columns = [...packageWords.words.map((word) => referenceWords.id(word)), referenceWords.unknownId];
  return tf.tidy(() => {
    const kept = tf.gather(all, columns, 1);
    all.dispose();
    return tf.sub(kept, tf.logSumExp(kept, 1, true));
  });
}

export async function checkParity(modelDir: string, reference: ParityReference, photosDir?: string, referenceWords?: Vocabulary): Promise<ParityReport> {
  const model = await loadGraphModel(fileModelHandler(path.join(modelDir, 'model.json')));
  const card = parseModelCard(JSON.parse(await readFile(path.join(modelDir, 'card.json'), 'utf8')));
  const step = (inputFeed: number[], initial: tf.Tensor2D, regions?: tf.Tensor2D) => {
    const feeds: tf.NamedTensorMap = { [DEFAULT_NODES.inputFeed]: tf.tensor1d(inputFeed, 'int32'), [DEFAULT_NODES.stateFeed]: initial };
    if (card.attention && regions) feeds[card.attention.regionsFeed] = regions;
    const [softmax, state] = model.execute(feeds, [DEFAULT_NODES.softmax, DEFAULT_NODES.state]) as tf.Tensor2D[];
    return { logProbs: tf.log(softmax), state };
  };
  // The image side of the graph takes one photo at a time, like the app; so do an attending decoder's steps.
  const rows = await Promise.all(
    (reference.photos ?? reference.features ?? []).map(async (input, row) => {
      if (typeof input === 'string') {
        if (!card.attention || !photosDir) throw new Error('a reference with photos needs an attending package and --photos');
        const pixels = imageToTensor(await decodePhoto(await readFile(path.join(photosDir, input))), centernetImageSpec('squash'));
        const [initial, regions] = model.execute({ [DEFAULT_NODES.image]: pixels }, [DEFAULT_NODES.initialState, card.attention.regions]) as tf.Tensor2D[];
        pixels.dispose();
        return { initial, ...step([reference.inputFeed[row]], initial, regions), regions };
      }
      const features = tf.tensor2d([input]);
      const initial = model.execute({ [FEATURES_NODE]: features }, DEFAULT_NODES.initialState) as tf.Tensor2D;
      features.dispose();
      return { initial, ...step([reference.inputFeed[row]], initial) };
    }),
  );
  const stack = (pick: (row: (typeof rows)[number]) => tf.Tensor2D) => tf.concat(rows.map(pick));
  const [initial, state, logProbs] = [stack((row) => row.initial), stack((row) => row.state), stack((row) => row.logProbs)];
  const packageWords = Vocabulary.parse(await readFile(path.join(modelDir, 'word_counts.txt'), 'utf8'));
  const referenceLogProbs = logProbsOverPackageWords(reference.logProbs, packageWords, referenceWords);
  const report = {
    initialState: maxAbsDifference(initial, reference.initialState),
    state: maxAbsDifference(state, reference.state),
    logProbs: maxAbsDifference(logProbs, referenceLogProbs),
  };
  tf.dispose([initial, state, logProbs, referenceLogProbs, ...rows.flatMap((row) => [row.initial, row.state, row.logProbs, ...('regions' in row && row.regions ? [row.regions] : [])])]);
  model.dispose();
  return report;
}

if (isEntryPoint(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' }, reference: { type: 'string' }, 'reference-vocab': { type: 'string' }, photo: { type: 'string' }, backend: { type: 'string', default: 'wasm' },
      photos: { type: 'string', default: path.join(import.meta.dirname, '../../shared/data/photos') },
    },
  });
  if (!values.model || !values.reference) throw new Error('usage: parity.ts --model DIR --reference parity.json [--reference-vocab word_counts.txt] [--photo some.jpg]');
  await initNodeBackend(values.backend as 'wasm' | 'cpu');
  const referenceWords = values['reference-vocab'] ? Vocabulary.parse(await readFile(values['reference-vocab'], 'utf8')) : undefined;
  const report = await checkParity(values.model, JSON.parse(await readFile(values.reference, 'utf8')) as ParityReference, values.photos, referenceWords);
  const encoder = values.photo ? { encoderFeatures: await checkEncoderParity(values.model, await decodePhoto(await readFile(values.photo))) } : {};
  console.log(JSON.stringify({ ...report, ...encoder }));
}
