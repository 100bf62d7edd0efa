/**
 * The result shape of the package's API, the same in Node and in the browser: what a row of the
 * CLI's JSON output holds, plus each caption's sentence form (the alt text).
 */
import type { Caption, CaptionResult, CaptionUpdate } from '../captioner';
import { toAltText } from '../captioner/format';

export interface CaptionLine {
  /** The model's words as the tutorial prints them: "a dog on a couch ." */
  text: string;
  /** The sentence form used for alt text: "A dog on a couch." */
  sentence: string;
  /** Probability of the whole caption. */
  p: number;
  /** Natural log of p. */
  logprob: number;
}

export interface DetectedObjectBox {
  label: string;
  score: number;
  /** [x, y, width, height] in pixels of the photo as shown (after EXIF orientation), from its top left. */
  box: [number, number, number, number];
}

export interface CaptionedPhoto {
  /** Best first. */
  captions: CaptionLine[];
  /** What the model's detector found, best first; null when the model has no detector. */
  objects: DetectedObjectBox[] | null;
  /** The photo's size as captioned (after EXIF orientation). */
  width: number;
  height: number;
}

const captionLine = ({ text, p, logProb }: Caption): CaptionLine => ({ text, sentence: toAltText(text), p, logprob: logProb });

/** The core's result for a photo of `width` × `height` pixels: sentence forms added, boxes in pixels. */
export function captionedPhoto({ captions, objects }: CaptionResult, width: number, height: number): CaptionedPhoto {
  return {
    captions: captions.map(captionLine),
    objects:
      objects?.map(({ label, score, box: [x, y, w, h] }) => ({
        label,
        score,
        box: [Math.round(x * width), Math.round(y * height), Math.round(w * width), Math.round(h * height)],
      })) ?? null,
    width,
    height,
  };
}

/** The search's live beam after a step: the partial captions, best first. */
export interface PartialCaptions {
  step: number;
  captions: CaptionLine[];
}

export function partialCaptions({ step, partial }: CaptionUpdate): PartialCaptions {
  return { step, captions: partial.map(captionLine) };
}
