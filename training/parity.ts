/**
 * Checks an exported package against the training framework: feeds the reference features into
 * `image_features` and compares the initial state, one step from <S> (state and log-probabilities).
 *
 *   tsx training/parity.ts --model public/models/ID --reference .cache/runs/NAME/parity.json
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { DEFAULT_NODES } from '../src/captioner/card';
import { imageToTensor, type RgbaImage } from '../src/captioner/preprocess';
import { isEntryPoint } from '../src/node/entry-point';
import { decodeImage, fileModelHandler, initNodeBackend } from '../src/node/runtime';
import { centernetImageSpec, encodeFeatures, loadCenternet } from './encoder';
import { FEATURES_NODE } from './export';

export interface ParityReference {
  features: number[][];
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

/** Largest difference between the package's `image_features` and training/encoder.ts on one photo. */
export async function checkEncoderParity(modelDir: string, photo: RgbaImage): Promise<number> {
  const [exported, centernet] = await Promise.all([loadGraphModel(fileModelHandler(path.join(modelDir, 'model.json'))), loadCenternet()]);
  const pixels = imageToTensor(photo, centernetImageSpec('squash'));
  const fromPackage = exported.execute({ [DEFAULT_NODES.image]: pixels }, FEATURES_NODE) as tf.Tensor2D;
  const fromEncoder = encodeFeatures(centernet, pixels);
  const difference = maxAbsDifference(fromPackage, fromEncoder.arraySync());
  tf.dispose([pixels, fromPackage, fromEncoder]);
  exported.dispose();
  centernet.dispose();
  return difference;
}

const maxAbsDifference = (a: tf.Tensor, b: number[][]) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, tf.tensor2d(b)))).dataSync()[0]);

export async function checkParity(modelDir: string, reference: ParityReference): Promise<ParityReport> {
  const model = await loadGraphModel(fileModelHandler(path.join(modelDir, 'model.json')));
  // The image side of the graph takes one photo at a time, like the app.
  const initialRows = reference.features.map((row) => {
    const features = tf.tensor2d([row]);
    const state = model.execute({ [FEATURES_NODE]: features }, DEFAULT_NODES.initialState) as tf.Tensor2D;
    features.dispose();
    return state;
  });
  const initial = tf.concat(initialRows);
  const [softmax, state] = model.execute(
    { [DEFAULT_NODES.inputFeed]: tf.tensor1d(reference.inputFeed, 'int32'), [DEFAULT_NODES.stateFeed]: initial },
    [DEFAULT_NODES.softmax, DEFAULT_NODES.state],
  ) as tf.Tensor2D[];
  const logProbs = tf.log(softmax);
  const report = {
    initialState: maxAbsDifference(initial, reference.initialState),
    state: maxAbsDifference(state, reference.state),
    logProbs: maxAbsDifference(logProbs, reference.logProbs),
  };
  tf.dispose([...initialRows, initial, softmax, state, logProbs]);
  model.dispose();
  return report;
}

if (isEntryPoint(import.meta.filename)) {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, reference: { type: 'string' }, photo: { type: 'string' }, backend: { type: 'string', default: 'wasm' } },
  });
  if (!values.model || !values.reference) throw new Error('usage: parity.ts --model DIR --reference parity.json [--photo some.jpg]');
  await initNodeBackend(values.backend as 'wasm' | 'cpu');
  const report = await checkParity(values.model, JSON.parse(await readFile(values.reference, 'utf8')) as ParityReference);
  const encoder = values.photo ? { encoderFeatures: await checkEncoderParity(values.model, decodeImage(await readFile(values.photo))) } : {};
  console.log(JSON.stringify({ ...report, ...encoder }));
}
