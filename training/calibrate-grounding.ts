/**
 * Per-class grounding thresholds from training photos: for each detector class, the evidence (the
 * heatmap maximum, the last 80 numbers of each cached feature row) that the detector reaches on a
 * given share of the photos whose captions name that class. The detector sees some classes weakly
 * even when they are there (a tennis ball, a half-hidden table); a single threshold would forbid
 * the words for them in most photos where they are right.
 *
 *   tsx training/calibrate-grounding.ts --features .cache/features/calib --share 0.9 [--out thresholds.json]
 *
 * Features come from training/encode.ts (any subset of the training photos); captions from
 * training/data/captions.json (npm run model:prepare). Classes named in fewer than --min-photos
 * photos keep the global threshold.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ObjectWords } from '../src/captioner/objects';
import { isEntryPoint } from '../src/node/entry-point';
import { COCO_LABELS, FEATURE_SIZE } from './encoder';

/** Per class: the evidence value reached by `share` of the photos whose captions name it. */
export function classThresholds(
  evidence: Float32Array[],
  namedClasses: Set<string>[],
  options: { share: number; minPhotos: number; labels: readonly string[] },
): Record<string, number> {
  const thresholds: Record<string, number> = {};
  options.labels.forEach((label, index) => {
    const scores = evidence.filter((_, photo) => namedClasses[photo].has(label)).map((row) => row[index]);
    if (scores.length < options.minPhotos) return;
    scores.sort((a, b) => a - b);
    thresholds[label] = Number(scores[Math.floor((1 - options.share) * (scores.length - 1))].toFixed(4));
  });
  return thresholds;
}

/** Classes named by at least `minCaptions` of a photo's captions (one caption alone may be wrong). */
function namedByCaptions(objectWords: ObjectWords, captions: string[], minCaptions: number): Set<string> {
  const counts = new Map<string, number>();
  for (const caption of captions) {
    for (const label of new Set(objectWords.mentions(caption.split(' ')).map((mention) => mention.label))) counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return new Set([...counts].filter(([, count]) => count >= minCaptions).map(([label]) => label));
}

if (isEntryPoint(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      features: { type: 'string' },
      captions: { type: 'string', default: path.join(import.meta.dirname, 'data/captions.json') },
      objects: { type: 'string', default: path.join(import.meta.dirname, 'objects.json') },
      share: { type: 'string', default: '0.9' },
      'min-photos': { type: 'string', default: '20' },
      'min-captions': { type: 'string', default: '2' },
      out: { type: 'string' },
    },
  });
  if (!values.features) throw new Error('usage: calibrate-grounding.ts --features PREFIX [--share 0.9] [--min-photos 20] [--out FILE]');
  const files = readFileSync(`${values.features}.files.txt`, 'utf8').split('\n').filter(Boolean);
  const bytes = readFileSync(`${values.features}.f32`);
  const rows = Math.floor(bytes.byteLength / (FEATURE_SIZE * 4));
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, rows * FEATURE_SIZE);
  const evidence = Array.from({ length: rows }, (_, row) => all.subarray(row * FEATURE_SIZE + FEATURE_SIZE - COCO_LABELS.length, (row + 1) * FEATURE_SIZE));
  const captions = JSON.parse(readFileSync(values.captions, 'utf8')) as Record<string, string[]>;
  const objectWords = ObjectWords.parse(JSON.parse(readFileSync(values.objects, 'utf8')));
  const named = files.slice(0, rows).map((file) => namedByCaptions(objectWords, captions[file] ?? [], Number(values['min-captions'])));
  const thresholds = classThresholds(evidence, named, { share: Number(values.share), minPhotos: Number(values['min-photos']), labels: COCO_LABELS });
  const json = `${JSON.stringify({ photos: rows, share: Number(values.share), classThresholds: thresholds }, null, 1)}\n`;
  if (values.out) writeFileSync(values.out, json);
  else process.stdout.write(json);
  console.error(`${rows} photos; thresholds for ${Object.keys(thresholds).length} classes`);
}
