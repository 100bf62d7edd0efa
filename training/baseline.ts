/**
 * The nearest-neighbour baseline of issue 7 on real photos: encodes each photo with the default
 * model's own image encoder (CenterNet features, ./encoder.ts, with the resize the training caches
 * were encoded with), searches the cached training features and picks the consensus caption of the
 * nearest training photos. Writes one captions.jsonl line per photo, which `npm run eval -- --baseline`
 * scores next to the model.
 *
 *   tsx training/baseline.ts <photos dir> <captions.jsonl> --features PREFIX [--features PREFIX ...]
 *       [--training-captions ../shared/data/captions.jsonl] [--limit N] --out baseline.jsonl
 *
 * PREFIX.f32 + PREFIX.files.txt + PREFIX.json come from training/encode.ts (without --regions).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { imageToTensor, type ImageSpec, type ResizeMode, type RgbaImage } from '../src/captioner/preprocess';
import { readCaptionsFile } from '../src/eval/captions-file';
import { consensusCaption, FeatureIndex } from '../src/eval/nearest-neighbour';
import { decodePhoto } from '../src/node/decode-photo';
import { isEntryPoint } from '../src/node/entry-point';
import { initNodeBackend } from '../src/node/runtime';
import { centernetImageSpec, encodeFeatures, FEATURE_SIZE, loadCenternet } from './encoder';
import { readFeatureCache } from './feature-cache';

/** Training photos whose captions compete (issue 7's measured setting). */
export const NEIGHBOURS = 30;

export interface NeighbourCaption {
  caption: string;
  /** The nearest training photos, nearest first. */
  neighbours: string[];
}

/** The resize every cache was encoded with (PREFIX.json, written by training/encode.ts): the photos are encoded the same way. */
async function cachesResize(featurePrefixes: string[]): Promise<ResizeMode> {
  const modes = await Promise.all(
    featurePrefixes.map(async (prefix) => (JSON.parse(await readFile(`${prefix}.json`, 'utf8')) as { resize: ResizeMode }).resize),
  );
  if (new Set(modes).size !== 1) throw new Error(`the feature caches were encoded with different resizes (${modes.join(', ')})`);
  return modes[0];
}

export class NearestNeighbourBaseline {
  private constructor(
    private readonly encoder: GraphModel,
    private readonly imageSpec: ImageSpec,
    private readonly index: FeatureIndex,
    private readonly captionsByFile: Map<string, string[]>,
  ) {}

  /** `featurePrefixes`: caches of training photos (training/encode.ts); their captions come from `captionsPath`. */
  static async load(featurePrefixes: string[], captionsPath: string): Promise<NearestNeighbourBaseline> {
    const parts = await Promise.all(featurePrefixes.map((prefix) => readFeatureCache(prefix)));
    const captionsByFile = new Map((await readCaptionsFile(captionsPath)).map(({ file, captions }) => [file, captions]));
    const uncaptioned = parts.flatMap((part) => part.files).filter((file) => !captionsByFile.has(file));
    if (uncaptioned.length > 0) throw new Error(`${uncaptioned.length} training photos have no captions in ${captionsPath}, e.g. ${uncaptioned[0]}`);
    const imageSpec = centernetImageSpec(await cachesResize(featurePrefixes));
    return new NearestNeighbourBaseline(await loadCenternet(), imageSpec, new FeatureIndex(FEATURE_SIZE, parts), captionsByFile);
  }

  /** `file`: the photo's name in the training caches' naming, so that it is never its own neighbour. */
  async caption(image: RgbaImage, file: string): Promise<NeighbourCaption> {
    const features = tf.tidy(() => encodeFeatures(this.encoder, imageToTensor(image, this.imageSpec)));
    const query = (await features.data()) as Float32Array;
    features.dispose();
    const neighbours = this.index.nearest(query, NEIGHBOURS, file);
    return { caption: consensusCaption(neighbours.flatMap((neighbour) => this.captionsByFile.get(neighbour) ?? [])), neighbours };
  }

  dispose(): void {
    this.encoder.dispose();
  }
}

const USAGE =
  'usage: tsx training/baseline.ts <photos dir> <captions.jsonl> --features PREFIX [--features PREFIX ...] [--training-captions FILE] [--limit N] --out FILE';

if (isEntryPoint(import.meta.filename)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      features: { type: 'string', multiple: true },
      'training-captions': { type: 'string', default: path.join(import.meta.dirname, '../../shared/data/captions.jsonl') },
      limit: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (positionals.length !== 2 || !values.features || !values.out) throw new Error(USAGE);
  const [photosDir, captionsPath] = positionals;
  const photos = await readCaptionsFile(captionsPath, values.limit === undefined ? Infinity : Number(values.limit));
  await initNodeBackend('wasm');
  const baseline = await NearestNeighbourBaseline.load(values.features, values['training-captions']);
  const lines: string[] = [];
  const started = performance.now();
  for (const photo of photos) {
    try {
      const image = await decodePhoto(await readFile(path.join(photosDir, photo.file)));
      const { caption, neighbours } = await baseline.caption(image, photo.file);
      lines.push(JSON.stringify({ file: photo.file, captions: [caption], neighbours }));
    } catch (error) {
      console.error(`${photo.file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  baseline.dispose();
  await writeFile(values.out, lines.map((line) => `${line}\n`).join(''));
  const msPerPhoto = (performance.now() - started) / Math.max(1, lines.length);
  console.error(`${lines.length} of ${photos.length} photos: ${msPerPhoto.toFixed(1)} ms/photo (decode, encoder, ${NEIGHBOURS} nearest training photos, consensus caption)`);
}
