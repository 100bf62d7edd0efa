/** The core's results (src/captioner) as the API's result shape (result.ts). */
import type { Caption, CaptionResult, CaptionUpdate } from '../captioner';
import { toAltText } from '../captioner/format';
import type { CaptionedPhoto, CaptionLine, PartialCaptions } from './result';

const captionLine = (language: string) => ({ text, p, logProb }: Caption): CaptionLine => ({ text, sentence: toAltText(text, language), p, logprob: logProb });

/** The core's result for a photo of `width` × `height` pixels, captioned in `language`: sentence forms added, boxes in pixels. */
export function captionedPhoto({ captions, objects }: CaptionResult, width: number, height: number, language: string): CaptionedPhoto {
  return {
    language,
    captions: captions.map(captionLine(language)),
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

export function partialCaptions({ step, partial }: CaptionUpdate, language: string): PartialCaptions {
  return { step, captions: partial.map(captionLine(language)) };
}
