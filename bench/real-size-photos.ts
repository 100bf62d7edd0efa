/**
 * The worker-pool bench's photos at the sizes people caption: Flickr's 500×375, COCO's 640×480 and a
 * phone's 12 megapixels (4032×3024). The shared photos are small (224–240 px high), so each is made from one
 * of them at bench time: centre-cropped to 4:3 and resized (tfjs's bilinear resampling on the CPU), with
 * a fixed grain so that the large ones carry a camera's noise and come to 2.2–2.6 MB (a phone's 12 MP
 * JPEG is 2–5 MB; a smooth upscale compresses, and decodes, as no photo does), then encoded with jpeg-js. The same inputs always
 * give the same files; they are kept in a gitignored folder and made again only when missing.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import jpeg from 'jpeg-js';
import { decodePhoto } from '../src/node/decode-photo';

export interface PhotoSize {
  name: string;
  width: number;
  height: number;
}

/** Interleaved in the batch (one of each in turn), so that the large photos are spread through it. */
export const REAL_SIZES: readonly PhotoSize[] = [
  { name: '500x375', width: 500, height: 375 },
  { name: '640x480', width: 640, height: 480 },
  { name: '12MP', width: 4032, height: 3024 },
];

const JPEG_QUALITY = 90;
/** Grain amplitude in levels (±): a camera's noise. */
const GRAIN = 6;

/** A fixed pseudo-random sequence (mulberry32), so that the grain is the same on every run and machine. */
function grainSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The photo centre-cropped to the size's aspect and resized to it, as RGBA with grain added. */
async function resizedPixels(source: string, size: PhotoSize, seed: number): Promise<Uint8Array> {
  const image = await decodePhoto(await readFile(source));
  const sourceAspect = image.width / image.height;
  const aspect = size.width / size.height;
  // [y1, x1, y2, x2] of the centred region with the target's aspect.
  const box: [number, number, number, number] =
    sourceAspect > aspect ? [0, (1 - aspect / sourceAspect) / 2, 1, (1 + aspect / sourceAspect) / 2] : [(1 - sourceAspect / aspect) / 2, 0, (1 + sourceAspect / aspect) / 2, 1];
  const rgb = tf.tidy(() => {
    const rgba = tf.tensor4d(Int32Array.from(image.data), [1, image.height, image.width, 4], 'int32');
    const pixels = tf.cast(tf.slice(rgba, [0, 0, 0, 0], [-1, -1, -1, 3]), 'float32');
    return tf.image.cropAndResize(pixels, [box], [0], [size.height, size.width], 'bilinear');
  });
  const values = await rgb.data();
  rgb.dispose();
  const next = grainSource(seed);
  const rgba = new Uint8Array(size.width * size.height * 4);
  for (let pixel = 0; pixel < size.width * size.height; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      const grain = Math.round((next() * 2 - 1) * GRAIN);
      rgba[pixel * 4 + channel] = Math.min(255, Math.max(0, Math.round(values[pixel * 3 + channel]) + grain));
    }
    rgba[pixel * 4 + 3] = 255;
  }
  return rgba;
}

/** The photo at the size, from the cache folder or made now (written under a temporary name, so a killed run leaves no half file). */
async function realSizePhoto(source: string, size: PhotoSize, index: number, cacheDir: string): Promise<string> {
  const file = path.join(cacheDir, size.name, `${String(index).padStart(2, '0')}-${path.basename(source, path.extname(source))}.jpg`);
  if (existsSync(file)) return file;
  await mkdir(path.dirname(file), { recursive: true });
  const data = await resizedPixels(source, size, index + 1);
  const encoded = jpeg.encode({ width: size.width, height: size.height, data }, JPEG_QUALITY).data;
  await writeFile(`${file}.partial`, encoded);
  await rename(`${file}.partial`, file);
  return file;
}

/**
 * `count` photos made from `sources` (taken in turn), the sizes interleaved; each with its size's name.
 * Making a 12 MP photo takes a few seconds, once.
 */
export async function realSizePhotos(sources: readonly string[], count: number, cacheDir: string, log: (message: string) => void): Promise<{ file: string; size: string }[]> {
  await tf.setBackend('cpu');
  const photos: { file: string; size: string }[] = [];
  for (let index = 0; index < count; index++) {
    const size = REAL_SIZES[index % REAL_SIZES.length];
    const source = sources[index % sources.length];
    const folder = path.join(cacheDir, size.name);
    if (!existsSync(folder)) log(`making the bench's ${size.name} photos in ${path.relative('.', folder)}…`);
    photos.push({ file: await realSizePhoto(source, size, index, cacheDir), size: size.name });
  }
  return photos;
}
