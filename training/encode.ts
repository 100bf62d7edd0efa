/**
 * Step 2: encode photos with the browser's own encoder graph and preprocessing, caching features.
 *
 *   tsx training/encode.ts --list files.txt --resize squash [--flip] [--regions] --out .cache/features/NAME [--shard 0/2]
 *
 * Writes NAME.f32 (one float32 record per photo, in list order: FEATURE_SIZE numbers, or
 * REGION_RECORD_SIZE with --regions), NAME.files.txt and NAME.json (how the view was made:
 * train.py mirrors the captions of flipped views and reads the record layout).
 * Re-running resumes after the last whole record (a record cut by a kill is written again).
 */
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { decodePhoto } from '../src/node/decode-photo';
import { initNodeBackend } from '../src/node/runtime';
import { imageToTensor, type ResizeMode } from '../src/captioner/preprocess';
import {
  BACKBONE_CHANNELS, centernetImageSpec, encodeFeatures, encodeRegions, FEATURE_SIZE, GRID_SIDE, loadCenternet,
  REGION_COUNT, REGION_GEOMETRY, REGION_RECORD_SIZE,
} from './encoder';

const { values } = parseArgs({
  options: {
    list: { type: 'string' },
    photos: { type: 'string', default: path.join(import.meta.dirname, '../../shared/data/photos') },
    resize: { type: 'string', default: 'squash' },
    flip: { type: 'boolean', default: false },
    regions: { type: 'boolean', default: false },
    out: { type: 'string' },
    shard: { type: 'string', default: '0/1' },
  },
});
if (!values.list || !values.out) throw new Error('usage: encode.ts --list files.txt --out PREFIX [--resize squash|crop|pad] [--flip] [--regions] [--shard i/n]');
const [shard, shards] = values.shard.split('/').map(Number);
const files = readFileSync(values.list, 'utf8').split('\n').filter(Boolean).filter((_, i) => i % shards === shard);
const spec = centernetImageSpec(values.resize as ResizeMode);
const recordBytes = (values.regions ? REGION_RECORD_SIZE : FEATURE_SIZE) * 4;
const featuresPath = `${values.out}.f32`;
writeFileSync(`${values.out}.files.txt`, files.join('\n') + '\n');
const layout = values.regions
  ? { regions: { count: REGION_COUNT, gridSide: GRID_SIDE, channels: BACKBONE_CHANNELS, geometry: REGION_GEOMETRY } }
  : {};
writeFileSync(`${values.out}.json`, JSON.stringify({ resize: values.resize, flip: values.flip, features: FEATURE_SIZE, ...layout }) + '\n');
const done = existsSync(featuresPath) ? Math.floor(statSync(featuresPath).size / recordBytes) : 0;
if (existsSync(featuresPath)) truncateSync(featuresPath, done * recordBytes);

await initNodeBackend('wasm');
const model = await loadCenternet();
const encode = values.regions ? encodeRegions : encodeFeatures;
const started = performance.now();
for (let i = done; i < files.length; i++) {
  const pixels = imageToTensor(await decodePhoto(readFileSync(path.join(values.photos, files[i]))), spec, { flip: values.flip });
  const features = encode(model, pixels);
  appendFileSync(featuresPath, Buffer.from((await features.data() as Float32Array).buffer));
  tf.dispose([pixels, features]);
  if ((i + 1) % 200 === 0 || i + 1 === files.length) {
    const rate = (performance.now() - started) / (i + 1 - done);
    console.error(`${new Date().toISOString()} ${values.out}: ${i + 1}/${files.length} (${rate.toFixed(0)} ms/photo)`);
  }
}
