/**
 * The result shape of the package's API, the same in Node and in the browser: what a row of the
 * CLI's JSON output holds, plus each caption's sentence form (the alt text). Types only, so that the
 * package's declarations need nothing else (to-result.ts makes them).
 */

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
  /** The language of the captions (BCP 47, the model's: "en", "de"). */
  language: string;
  /** Best first. */
  captions: CaptionLine[];
  /** What the model's detector found, best first; null when the model has no detector. */
  objects: DetectedObjectBox[] | null;
  /** The photo's size as captioned (after EXIF orientation). */
  width: number;
  height: number;
}

/** The search's live beam after a step: the partial captions, best first. */
export interface PartialCaptions {
  step: number;
  captions: CaptionLine[];
}
