/**
 * Could the app name a gender only where the photo shows it? A linear probe measures how much gender
 * signal the encoder's region features carry: logistic regression from the most confident person
 * detection's features (its pooled backbone vector and score, plus the photo's pooled features) to
 * the gender the photo's references agree on (src/eval/gender.ts). Trained on the training photos,
 * reported on the validation photos as the gender target counts them: were a caption to name
 * the predicted gender wherever the probe is at least this sure, how often would it be right or wrong.
 *
 *   tsx training/gender-probe.ts [--regions .cache/regions] [--captions training/data/captions.json]
 *
 * Regions come from `npm run model:encode -- --regions` (shards train-*, val-*).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readFeatureCache } from './feature-cache';
import { referenceGender, type Gender } from '../src/eval/gender';
import { isEntryPoint } from '../src/node/entry-point';
import { BACKBONE_CHANNELS, COCO_LABELS, FEATURE_SIZE, GRID_SIDE, REGION_COUNT, REGION_GEOMETRY, REGION_RECORD_SIZE } from './encoder';

const PERSON = COCO_LABELS.indexOf('person');
const SCORE = 4;
const CLASS = 5;

/** One region record → the probe's input (best person's features, its score, global features), or null without a person. */
export function personFeatures(record: Float32Array): Float32Array | null {
  const regionsStart = FEATURE_SIZE + GRID_SIDE * GRID_SIDE * BACKBONE_CHANNELS;
  const geometryStart = regionsStart + REGION_COUNT * BACKBONE_CHANNELS;
  let best = -1;
  for (let region = 0; region < REGION_COUNT; region++) {
    const geometry = geometryStart + region * REGION_GEOMETRY;
    if (record[geometry + CLASS] !== PERSON) continue;
    if (best < 0 || record[geometry + SCORE] > record[geometryStart + best * REGION_GEOMETRY + SCORE]) best = region;
  }
  if (best < 0) return null;
  const features = new Float32Array(BACKBONE_CHANNELS + 1 + FEATURE_SIZE);
  features.set(record.subarray(regionsStart + best * BACKBONE_CHANNELS, regionsStart + (best + 1) * BACKBONE_CHANNELS));
  features[BACKBONE_CHANNELS] = record[geometryStart + best * REGION_GEOMETRY + SCORE];
  features.set(record.subarray(0, FEATURE_SIZE), BACKBONE_CHANNELS + 1);
  return features;
}

export interface Probe {
  /** P(female) for one input row. */
  predict(row: Float32Array): number;
}

/**
 * Logistic regression on standardised inputs by full-batch Adam, the two classes weighed equally
 * (photos of men outnumber photos of women two to one) and an L2 penalty against the few photos.
 */
export function trainProbe(rows: Float32Array[], female: boolean[], options: { l2: number; epochs: number; learningRate: number }): Probe {
  const size = rows[0].length;
  const mean = new Float64Array(size);
  const scale = new Float64Array(size);
  for (const row of rows) for (let i = 0; i < size; i++) mean[i] += row[i] / rows.length;
  for (const row of rows) for (let i = 0; i < size; i++) scale[i] += (row[i] - mean[i]) ** 2 / rows.length;
  for (let i = 0; i < size; i++) scale[i] = 1 / (Math.sqrt(scale[i]) + 1e-6);
  const inputs = rows.map((row) => Float64Array.from(row, (value, i) => (value - mean[i]) * scale[i]));
  const women = female.filter(Boolean).length;
  const classWeight = [rows.length / (2 * (rows.length - women)), rows.length / (2 * women)];
  const weights = new Float64Array(size + 1); // the last one is the bias
  const moment = new Float64Array(size + 1);
  const variance = new Float64Array(size + 1);
  const logit = (input: Float64Array) => input.reduce((sum, value, i) => sum + value * weights[i], weights[size]);
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const gradient = new Float64Array(size + 1);
    inputs.forEach((input, n) => {
      const target = female[n] ? 1 : 0;
      const error = (classWeight[target] * (1 / (1 + Math.exp(-logit(input))) - target)) / rows.length;
      for (let i = 0; i < size; i++) gradient[i] += error * input[i];
      gradient[size] += error;
    });
    for (let i = 0; i <= size; i++) {
      const g = gradient[i] + (i < size ? options.l2 * weights[i] : 0);
      moment[i] = 0.9 * moment[i] + 0.1 * g;
      variance[i] = 0.999 * variance[i] + 0.001 * g * g;
      const step = (moment[i] / (1 - 0.9 ** epoch)) / (Math.sqrt(variance[i] / (1 - 0.999 ** epoch)) + 1e-8);
      weights[i] -= options.learningRate * step;
    }
  }
  return { predict: (row) => 1 / (1 + Math.exp(-logit(Float64Array.from(row, (value, i) => (value - mean[i]) * scale[i])))) };
}

export interface ProbeOutcome {
  /** Per gender the references agree on: photos, and those the probe names rightly or wrongly at this confidence. */
  byGender: Record<Gender, { photos: number; right: number; wrong: number }>;
  /** Photos whose references agree on no gender (a mixed group, or none said) that would get one. */
  unagreedNamed: number;
  unagreed: number;
}

/** What naming the predicted gender where P ≥ confidence (of either side) would do. */
export function probeOutcome(probabilities: number[], truth: (Gender | null)[], confidence: number): ProbeOutcome {
  const outcome: ProbeOutcome = {
    byGender: { female: { photos: 0, right: 0, wrong: 0 }, male: { photos: 0, right: 0, wrong: 0 } },
    unagreedNamed: 0,
    unagreed: 0,
  };
  probabilities.forEach((female, i) => {
    const named: Gender | null = female >= confidence ? 'female' : 1 - female >= confidence ? 'male' : null;
    const gender = truth[i];
    if (!gender) {
      outcome.unagreed++;
      if (named) outcome.unagreedNamed++;
      return;
    }
    const counts = outcome.byGender[gender];
    counts.photos++;
    if (named === gender) counts.right++;
    else if (named) counts.wrong++;
  });
  return outcome;
}

/** Every photo with a person detection in the shards SPLIT-0, SPLIT-1, ...: its input and reference gender. */
async function readSplit(regions: string, split: string, captions: Record<string, string[]>) {
  const rows: Float32Array[] = [];
  const truth: (Gender | null)[] = [];
  for (let shard = 0; existsSync(path.join(regions, `${split}-${shard}.f32`)); shard++) {
    const { files, features } = await readFeatureCache(path.join(regions, `${split}-${shard}`), REGION_RECORD_SIZE);
    files.forEach((file, i) => {
      const input = personFeatures(features.subarray(i * REGION_RECORD_SIZE, (i + 1) * REGION_RECORD_SIZE));
      if (!input) return;
      rows.push(input);
      truth.push(referenceGender(captions[file] ?? []));
    });
  }
  return { rows, truth };
}

/** Indices of the photos whose references agree on a gender. */
function agreedPhotos(truth: (Gender | null)[]): number[] {
  return truth.flatMap((gender, i) => (gender ? [i] : []));
}

if (isEntryPoint(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      regions: { type: 'string', default: path.join(import.meta.dirname, '..', '.cache', 'regions') },
      captions: { type: 'string', default: path.join(import.meta.dirname, 'data', 'captions.json') },
      l2: { type: 'string', default: '0.1' },
      epochs: { type: 'string', default: '200' },
    },
  });
  const captions = JSON.parse(readFileSync(values.captions, 'utf8')) as Record<string, string[]>;
  const train = await readSplit(values.regions, 'train', captions);
  const val = await readSplit(values.regions, 'val', captions);
  const agreed = agreedPhotos(train.truth);
  const probe = trainProbe(agreed.map((i) => train.rows[i]), agreed.map((i) => train.truth[i] === 'female'), {
    l2: Number(values.l2), epochs: Number(values.epochs), learningRate: 1e-3,
  });
  const probabilities = val.rows.map((row) => probe.predict(row));
  const labelled = agreedPhotos(val.truth);
  const right = labelled.filter((i) => (probabilities[i] >= 0.5) === (val.truth[i] === 'female')).length;
  const men = labelled.filter((i) => val.truth[i] === 'male').length;
  console.log(`training: ${agreed.length} photos with a person and an agreed gender; validation: ${labelled.length}`);
  const share = (count: number, of: number) => `${((count / of) * 100).toFixed(1)}%`;
  console.log(`validation accuracy ${share(right, labelled.length)} (always "male": ${share(men, labelled.length)})`);
  for (const confidence of [0.5, 0.7, 0.8, 0.9, 0.95]) {
    const { byGender: { female, male }, unagreedNamed, unagreed } = probeOutcome(probabilities, val.truth, confidence);
    console.log(`P ≥ ${confidence}: women right ${share(female.right, female.photos)} wrong ${share(female.wrong, female.photos)}`
      + ` | men right ${share(male.right, male.photos)} wrong ${share(male.wrong, male.photos)}`
      + ` | no agreed gender, named ${unagreedNamed} of ${unagreed}`);
  }
}
