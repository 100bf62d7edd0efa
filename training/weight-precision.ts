/**
 * Step 4b for an attending model: which more weights take 8 bits (MODEL.md "Package size"). Each
 * weight the package stores in float16 (CenterNet's, and the decoder's smaller matrices) of at least
 * --min-values values (the small ones hardly weigh) is rounded on its own to tfjs's uint8 levels, and
 * the validation loss (the photos' own captions, teacher-forced through the whole graph, pixels to
 * words) is compared with float16's; so are the image features (relative RMS error). Leaving out
 * the weights that clearly raise the loss, the rest are taken in order of feature error per byte
 * saved until the package fits --budget, and that set is measured together. export.ts --uint8-weights reads the result and writes those weights in 8 bits.
 *
 *   tsx training/weight-precision.ts --model .cache/pkg/ID [--photos 16] [--min-values 8192] [--budget 6400000] [--out training/uint8-weights.json]
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { io } from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { parseModelCard, type ModelCard } from '../src/captioner/card';
import { imageToTensor } from '../src/captioner/preprocess';
import { readCaptionsFile } from '../src/eval/captions-file';
import { Vocabulary } from '../src/captioner/vocabulary';
import { isEntryPoint } from '../src/node/entry-point';
import { decodePhoto } from '../src/node/decode-photo';
import { fileModelHandler, initNodeBackend } from '../src/node/runtime';
import { packageBytes } from '../tools/build/model-versions';
import { quantizeUint8 } from '../tools/graph/package-files';
import { centernetImageSpec } from './encoder';
import { FEATURES_NODE } from './export';

export interface LayerPrecision {
  name: string;
  values: number;
  /** Relative RMS error of the image features with this layer alone in 8 bits. */
  featureError: number;
  /** How much the validation loss (nats per word of the photos' captions) grows with it. */
  lossIncrease: number;
}

export interface PrecisionChoice {
  /** Weights to write in 8 bits, best first. */
  uint8: string[];
  photos: number;
  budgetBytes: number;
  packageBytes: { float16: number; chosen: number };
  /** Validation loss with the detector all float16, and what the chosen set does to it. */
  float16Loss: number;
  combined: { featureError: number; lossIncrease: number };
  layers: LayerPrecision[];
}

/** A weight that raises the validation loss by more than this (nats per word) alone stays float16. */
const MAX_LOSS_INCREASE = 0.01;

/** Where the choice is written unless --out says otherwise (export.ts --uint8-weights reads it). */
export const PRECISION_FILE = path.join(import.meta.dirname, 'uint8-weights.json');

interface CaptionedPixels {
  pixels: tf.Tensor4D;
  /** Word ids from <S> to </S>, one row per human caption. */
  captions: number[][];
}

/** Rounds a float tensor to 256 levels between its minimum and maximum, as the package would store it. */
function uint8Levels(weight: tf.Tensor): tf.Tensor {
  const { min, scale, bytes } = quantizeUint8(weight.dataSync() as Float32Array);
  return tf.tensor(Float32Array.from(bytes, (q) => q * scale + min), weight.shape);
}

/**
 * The captions' loss per word under the whole graph, pixels to words (teacher forcing, all of a
 * photo's captions as one batch), and the image features of every photo.
 */
function captionLoss(model: GraphModel, card: ModelCard, photos: CaptionedPixels[]): { loss: number; features: tf.Tensor[] } {
  const attention = card.attention!;
  let total = 0;
  let words = 0;
  const features = photos.map(({ pixels, captions }) => {
    const [imageFeatures, initial, regions] = model.execute({ [card.nodes.image]: pixels }, [FEATURES_NODE, card.nodes.initialState, attention.regions]) as tf.Tensor2D[];
    let state = tf.tile(initial, [captions.length, 1]);
    const longest = Math.max(...captions.map((caption) => caption.length));
    for (let t = 0; t + 1 < longest; t++) {
      const inputFeed = tf.tensor1d(captions.map((caption) => caption[Math.min(t, caption.length - 1)]), 'int32');
      const [softmax, next] = model.execute({ [card.nodes.inputFeed]: inputFeed, [card.nodes.stateFeed]: state, [attention.regionsFeed]: regions }, [card.nodes.softmax, card.nodes.state]) as tf.Tensor2D[];
      const probabilities = softmax.arraySync();
      captions.forEach((caption, row) => {
        if (t + 1 < caption.length) {
          total -= Math.log(probabilities[row][caption[t + 1]]);
          words++;
        }
      });
      tf.dispose([inputFeed, softmax, state]);
      state = next;
    }
    tf.dispose([state, initial, regions]);
    return imageFeatures;
  });
  return { loss: total / words, features };
}

/** Relative RMS difference of the features against the reference, over all photos. */
function relativeError(features: tf.Tensor[], reference: tf.Tensor[]): number {
  return tf.tidy(() => {
    const diff = tf.addN(features.map((photo, i) => tf.sum(tf.squaredDifference(photo, reference[i]))));
    const norm = tf.addN(reference.map((photo) => tf.sum(tf.square(photo))));
    return Math.sqrt(tf.div(diff, norm).dataSync()[0]);
  });
}

export async function measurePrecision(
  modelDir: string,
  photos: { file: string; captions: string[] }[],
  budgetBytes: number,
  minValues: number,
  log = (line: string) => console.error(line),
): Promise<PrecisionChoice> {
  const model: GraphModel = await loadGraphModel(fileModelHandler(path.join(modelDir, 'model.json')));
  const card = parseModelCard(JSON.parse(await readFile(path.join(modelDir, 'card.json'), 'utf8')));
  if (!card.attention) throw new Error(`${modelDir} is not an attending model (card.json has no attention)`);
  const vocabulary = Vocabulary.parse(await readFile(path.join(modelDir, 'word_counts.txt'), 'utf8'));
  const encode = (caption: string) => [vocabulary.startId, ...caption.split(' ').map((word) => vocabulary.id(word)), vocabulary.endId];
  const captioned = await Promise.all(
    photos.map(async ({ file, captions }) => ({
      pixels: imageToTensor(await decodePhoto(await readFile(file)), centernetImageSpec('squash')),
      captions: captions.map(encode),
    })),
  );

  // Candidates: the weights the package stores in float16 (the detector's, and the decoder's smaller ones).
  const manifest = JSON.parse(await readFile(path.join(modelDir, 'model.json'), 'utf8')) as io.ModelJSON;
  const float16Names = new Set(manifest.weightsManifest.flatMap((group) => group.weights.filter((w) => w.quantization?.dtype === 'float16').map((w) => w.name)));
  const weights = model.weights;
  const candidates = Object.keys(weights).filter((name) => float16Names.has(name) && weights[name][0].size >= minValues);
  const reference = captionLoss(model, card, captioned);
  /** The loss and feature error with the named weights in 8 bits (restored afterwards). */
  const measureWithUint8 = (names: string[]) => {
    const originals = names.map((name) => weights[name]);
    names.forEach((name) => (weights[name] = [uint8Levels(weights[name][0])]));
    try {
      const { loss, features } = captionLoss(model, card, captioned);
      const featureError = relativeError(features, reference.features);
      tf.dispose(features);
      return { featureError, lossIncrease: loss - reference.loss };
    } finally {
      names.forEach((name, i) => {
        tf.dispose(weights[name]);
        weights[name] = originals[i];
      });
    }
  };

  const layers: LayerPrecision[] = [];
  for (const [i, name] of candidates.entries()) {
    layers.push({ name, values: weights[name][0].size, ...measureWithUint8([name]) });
    if ((i + 1) % 10 === 0) log(`${i + 1}/${candidates.length} layers measured`);
  }

  // A float16 value takes 2 bytes, a uint8 one 1: each layer taken saves one byte per value.
  const packageFloat16 = await packageBytes(modelDir);
  // The loss moves by up to ~0.008 nats either way from one rounding to another on this sample, so
  // it only rules out clear harm; the features' error, a steadier signal, orders the rest.
  const cost = (layer: LayerPrecision) => layer.featureError / layer.values;
  layers.sort((a, b) => cost(a) - cost(b));
  const uint8: string[] = [];
  let saved = 0;
  for (const layer of layers.filter(({ lossIncrease }) => lossIncrease <= MAX_LOSS_INCREASE)) {
    if (packageFloat16 - saved <= budgetBytes) break;
    uint8.push(layer.name);
    saved += layer.values;
  }
  const combined = measureWithUint8(uint8);
  tf.dispose([...reference.features, ...captioned.map(({ pixels }) => pixels)]);
  model.dispose();
  return {
    uint8,
    photos: photos.length,
    budgetBytes,
    packageBytes: { float16: packageFloat16, chosen: packageFloat16 - saved },
    float16Loss: reference.loss,
    combined,
    layers,
  };
}

if (isEntryPoint(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      photos: { type: 'string', default: '16' },
      // 100 kB under the 6.5 MB, for the figures card.json gains when the model ships.
      budget: { type: 'string', default: '6400000' },
      'min-values': { type: 'string', default: '8192' },
      captions: { type: 'string', default: path.join(import.meta.dirname, 'data', 'val.jsonl') },
      'photos-dir': { type: 'string', default: path.join(import.meta.dirname, '../../shared/data/photos') },
      out: { type: 'string', default: PRECISION_FILE },
      // The captions the model was trained on (prepare.py's normalised, neutral text).
      'neutral-captions': { type: 'string', default: path.join(import.meta.dirname, 'data', 'neutral', 'captions.json') },
    },
  });
  if (!values.model) throw new Error('usage: weight-precision.ts --model DIR [--photos N] [--budget BYTES] [--out FILE]');
  await initNodeBackend('wasm');
  // Every n-th validation photo, so that both sources (Flickr8k, COCO) are in the sample.
  const captioned = await readCaptionsFile(values.captions);
  const neutral = JSON.parse(await readFile(values['neutral-captions'], 'utf8')) as Record<string, string[]>;
  const count = Number(values.photos);
  const photos = Array.from({ length: count }, (_, i) => {
    const { file } = captioned[Math.floor((i * captioned.length) / count)];
    return { file: path.join(values['photos-dir'], file), captions: neutral[file] };
  });
  const choice = await measurePrecision(values.model, photos, Number(values.budget), Number(values['min-values']));
  await writeFile(values.out, `${JSON.stringify(choice, null, 1)}\n`);
  console.log(JSON.stringify({ uint8Layers: choice.uint8.length, packageBytes: choice.packageBytes, float16Loss: choice.float16Loss, combined: choice.combined }));
}
