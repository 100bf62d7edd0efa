import * as tf from '@tensorflow/tfjs-core';
import { beamSearch, type BeamSearchOptions, type Hypothesis } from './beam-search';
import type { ModelCard } from './card';
import { loadModelPackage, type LoadOptions, type PackageFiles, type ShowAndTellModel } from './model';
import type { DetectedObject } from './objects';
import { imageToTensor, type RgbaImage } from './preprocess';

export type { BeamSearchOptions } from './beam-search';
export type { ModelCard } from './card';
export type { LoadOptions, ModelSource, PackageFiles } from './model';
export { ShowAndTellModel, loadModelPackage } from './model';
export type { RgbaImage } from './preprocess';
export type { DetectedObject } from './objects';

export interface Caption {
  text: string;
  /** Without the start and end words. */
  words: string[];
  logProb: number;
  /** exp(logProb): the probability of the whole sentence. */
  p: number;
}

/** The live beam during captioning, both lists best first. */
export interface CaptionUpdate {
  step: number;
  partial: Caption[];
  complete: Caption[];
  /** Bytes read back from the device in this step. */
  readBackBytes: number;
}

/** What captioning one image gives. */
export interface CaptionResult {
  /** Best first. */
  captions: Caption[];
  /** What the encoder detected, best first; null when the model package exposes no detections. */
  objects: DetectedObject[] | null;
}

export interface Captioner {
  readonly card: ModelCard;
  caption(image: RgbaImage, options?: Partial<BeamSearchOptions>, onUpdate?: (update: CaptionUpdate) => void): Promise<CaptionResult>;
  dispose(): void;
}

class BeamSearchCaptioner implements Captioner {
  constructor(private readonly model: ShowAndTellModel) {}

  get card(): ModelCard {
    return this.model.card;
  }

  async caption(image: RgbaImage, options: Partial<BeamSearchOptions> = {}, onUpdate?: (update: CaptionUpdate) => void): Promise<CaptionResult> {
    const initialState = tf.tidy(() => this.model.feedImage(imageToTensor(image, this.card.image)));
    const { startId, endId } = this.model.vocabulary;
    try {
      const found = await beamSearch(this.model, initialState, { startId, endId }, options, (update) =>
        onUpdate?.({
          step: update.step,
          partial: update.partial.map(this.toCaption),
          complete: update.complete.map(this.toCaption),
          readBackBytes: update.readBackBytes,
        }),
      );
      return { captions: found.map(this.toCaption), objects: null };
    } finally {
      initialState.dispose();
    }
  }

  dispose(): void {
    this.model.dispose();
  }

  private readonly toCaption = ({ wordIds, logProb }: Hypothesis): Caption => {
    const { vocabulary } = this.model;
    return { text: vocabulary.captionText(wordIds), words: vocabulary.captionWords(wordIds), logProb, p: Math.exp(logProb) };
  };
}

/**
 * Loads a Show and Tell model package:
 * `const captioner = await loadCaptioner(files); const captions = await captioner.caption(rgba);`
 */
export async function loadCaptioner(files: PackageFiles, options: LoadOptions = {}): Promise<Captioner> {
  return new BeamSearchCaptioner(await loadModelPackage(files, options));
}
