/** One photo's line of output, whatever the format: its captions (and detected objects), or why it failed. */
import type { CaptionResult } from '../captioner';
import type { MetadataCell } from './photo-metadata';

export interface CaptionCell {
  text: string;
  logprob: number;
  p: number;
}

export interface ObjectCell {
  label: string;
  score: number;
  /** [x, y, width, height] in pixels of the photo as shown (after EXIF orientation), from its top left. */
  box: [number, number, number, number];
}

export interface CaptionedRow {
  file: string;
  captions: CaptionCell[];
  objects?: ObjectCell[];
  /** --write-metadata: the description the photo already had (a person's), if any. */
  description?: string;
  /** --write-metadata: what was (or, with --dry-run, would be) written into the photo. */
  metadata?: MetadataCell;
}

export type PhotoRow = CaptionedRow | { file: string; error: string };

/** The row of a captioned photo of `width` × `height` pixels; objects only where the model gives them. */
export function captionedRow(file: string, { captions, objects }: CaptionResult, width: number, height: number): PhotoRow {
  const row: PhotoRow = { file, captions: captions.map(({ text, logProb, p }) => ({ text, logprob: logProb, p })) };
  if (objects) {
    row.objects = objects.map(({ label, score, box: [x, y, w, h] }) => ({
      label,
      score,
      box: [Math.round(x * width), Math.round(y * height), Math.round(w * width), Math.round(h * height)],
    }));
  }
  return row;
}
