/**
 * A photo's own description, as the standard metadata fields hold it (XMP dc:description, EXIF
 * ImageDescription, IPTC Caption-Abstract): read by the CLI (--write-metadata) and the page, so both
 * agree on whether a person already described the photo.
 */

/** The three fields, as read from the photo (absent when the photo has no such field). */
export interface DescriptionFields {
  xmp?: string;
  exif?: string;
  iptc?: string;
}

/** Names of the fields in the order their text is preferred, as the rows and the README give them. */
export const FIELD_NAMES: Record<keyof DescriptionFields, string> = {
  xmp: 'XMP dc:description',
  exif: 'EXIF ImageDescription',
  iptc: 'IPTC Caption-Abstract',
};

/** Who wrote a machine caption, as recorded in XMP photoshop:CaptionWriter and IPTC Writer-Editor (at most 32 bytes). */
export const MACHINE_WRITER = 'show-and-tell-browser';

/** XMP photoshop:CaptionWriter of a caption this tool wrote: it says the text is machine-written, without changing the text. */
export const machineCaptionWriter = (modelName: string) => `${MACHINE_WRITER} (machine-written, model: ${modelName})`;

/** What cameras write into EXIF ImageDescription on their own: not a person's words. */
const CAMERA_TEXT = new Set([
  'OLYMPUS DIGITAL CAMERA',
  'SONY DSC',
  'DIGITAL CAMERA',
  'KONICA MINOLTA DIGITAL CAMERA',
  'MINOLTA DIGITAL CAMERA',
  'PENTAX DIGITAL CAMERA',
  'SAMSUNG DIGITAL CAMERA',
  'SAMSUNG CAMERA PICTURES',
  'EXIF_JPEG_PICTURE',
  'EXIF JPEG',
  'DEFAULT',
  'DCIM',
  'LEICA',
]);

/** The text a field holds once camera filler, blanks and NULs are set aside ('' when nothing is left). */
export function meaningfulText(text: string | undefined): string {
  const trimmed = (text ?? '').replace(/\0/g, '').trim();
  return CAMERA_TEXT.has(trimmed.toUpperCase()) ? '' : trimmed;
}

/** The photo's description: the first field, in FIELD_NAMES order, that holds some; null when none does. */
export function photoDescription(fields: DescriptionFields): string | null {
  for (const key of Object.keys(FIELD_NAMES) as (keyof DescriptionFields)[]) {
    const text = meaningfulText(fields[key]);
    if (text) return text;
  }
  return null;
}
