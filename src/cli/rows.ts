/** One photo's line of output, whatever the format: its captions (and detected objects), or why it failed. */
import type { CaptionedPhoto } from '../lib/result';
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
  /** The captions' language (BCP 47, the model's). */
  language: string;
  captions: CaptionCell[];
  objects?: ObjectCell[];
  /** --write-metadata: the description the photo already had (a person's), if any. */
  description?: string;
  /** --write-metadata: what was (or, with --dry-run, would be) written into the photo. */
  metadata?: MetadataCell;
}

export type PhotoRow = CaptionedRow | { file: string; error: string };

/** The row of a photo captioned through the package's API (src/lib); objects only where the model gives them. */
export function captionedRow(file: string, { language, captions, objects }: CaptionedPhoto): PhotoRow {
  const row: PhotoRow = { file, language, captions: captions.map(({ text, logprob, p }) => ({ text, logprob, p })) };
  if (objects) row.objects = objects;
  return row;
}
