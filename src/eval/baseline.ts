/**
 * The nearest-neighbour baseline on real photos: encodes a photo with the default model's own image
 * encoder (CenterNet features, training/encoder.ts, on the model card's resize), searches the cached
 * training features and picks the consensus caption of the nearest training photos.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { centernetImageSpec, encodeFeatures, FEATURE_SIZE, loadCenternet } from '../../training/encoder';
import { imageToTensor, type ImageSpec, type RgbaImage } from '../captioner/preprocess';
import { readCaptionsFile } from './captions-file';
import { consensusCaption, FeatureIndex, type FeatureRows } from './nearest-neighbour';

/** Training photos whose captions compete (issue 7's measured setting). */
export const NEIGHBOURS = 30;

/**
 * Reads PREFIX.f32 + PREFIX.files.txt as training/encode.ts writes them (rows of `rowSize` numbers:
 * FEATURE_SIZE, or REGION_RECORD_SIZE with --regions). A cache that is still being written is read
 * up to its last complete row.
 */
export async function readFeatureCache(prefix: string, rowSize = FEATURE_SIZE): Promise<FeatureRows> {
  const files = (await readFile(`${prefix}.files.txt`, 'utf8')).split('\n').filter(Boolean);
  const bytes = await readFile(`${prefix}.f32`);
  const rows = Math.floor(bytes.byteLength / (rowSize * 4));
  if (rows > files.length) throw new Error(`${prefix}.f32 has ${rows} rows but ${prefix}.files.txt names only ${files.length} photos`);
  if (rows < files.length) console.error(`warning: ${prefix}.f32 has only ${rows} of ${files.length} photos encoded; using those`);
  // Copied into its own buffer: a Float32Array view needs 4-byte alignment.
  const features = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + rows * rowSize * 4));
  return { files: files.slice(0, rows), features };
}

export interface NeighbourCaption {
  caption: string;
  /** The nearest training photos, nearest first. */
  neighbours: string[];
}

export class NearestNeighbourBaseline {
  private constructor(
    private readonly encoder: GraphModel,
    private readonly imageSpec: ImageSpec,
    private readonly index: FeatureIndex,
    private readonly captionsByFile: Map<string, string[]>,
  ) {}

  /** `featurePrefixes`: caches of training photos, all encoded with `resize`; their captions come from `captionsPath`. */
  static async load(featurePrefixes: string[], captionsPath: string, resize: ImageSpec['resize']): Promise<NearestNeighbourBaseline> {
    const parts = await Promise.all(featurePrefixes.map((prefix) => readFeatureCache(prefix)));
    const captionsByFile = new Map((await readCaptionsFile(captionsPath)).map(({ file, captions }) => [file, captions]));
    const uncaptioned = parts.flatMap((part) => part.files).filter((file) => !captionsByFile.has(file));
    if (uncaptioned.length > 0) throw new Error(`${uncaptioned.length} training photos have no captions in ${captionsPath}, e.g. ${uncaptioned[0]}`);
    return new NearestNeighbourBaseline(await loadCenternet(), centernetImageSpec(resize), new FeatureIndex(FEATURE_SIZE, parts), captionsByFile);
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
