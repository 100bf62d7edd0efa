/**
 * A photo's own description, as the standard metadata fields hold it (XMP dc:description, EXIF
 * ImageDescription, IPTC Caption-Abstract): the one rule by which the CLI (--write-metadata) and the
 * page decide whether a person already described the photo, and which text this tool wrote itself.
 */

/** XMP's name for the default language of a language alternative (dc:description's rdf:Alt). */
export const DEFAULT_LANGUAGE = 'x-default';

/** The three fields and who wrote them, as read from the photo (absent when the photo has no such field). */
export interface DescriptionFields {
  /** dc:description: each entry's text by its xml:lang (DEFAULT_LANGUAGE for the default). */
  xmp?: Readonly<Record<string, string>>;
  exif?: string;
  iptc?: string;
  /** XMP photoshop:CaptionWriter. */
  writer?: string;
}

/** The fields a description is written to. */
export type DescriptionField = 'xmp' | 'exif' | 'iptc';

/** Names of the fields, as the rows and the README give them. */
export const FIELD_NAMES: Record<DescriptionField, string> = {
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

/** Whether a caption writer (XMP photoshop:CaptionWriter) is this tool. */
const isMachineWriter = (writer: string | undefined): writer is string => writer?.startsWith(MACHINE_WRITER) ?? false;

/**
 * Every text the fields hold, camera filler and blanks set aside, in the order they are preferred:
 * dc:description in the default language, then in every other language (each is a description
 * someone wrote), EXIF, IPTC.
 */
function descriptionTexts({ xmp = {}, exif, iptc }: DescriptionFields): string[] {
  const languages = Object.keys(xmp).sort((a, b) => Number(b === DEFAULT_LANGUAGE) - Number(a === DEFAULT_LANGUAGE));
  return [...languages.map((language) => xmp[language]), exif, iptc].map(meaningfulText).filter((text) => text !== '');
}

/**
 * The text this tool wrote, when the caption writer says it wrote one: the default-language entry it
 * writes (and copies into EXIF and IPTC); null otherwise.
 */
export function machineWrittenText(fields: DescriptionFields): string | null {
  return (isMachineWriter(fields.writer) && meaningfulText(fields.xmp?.[DEFAULT_LANGUAGE])) || null;
}

/** A person's description of the photo: the first text (descriptionTexts' order) that this tool did not write; null when none. */
export function photoDescription(fields: DescriptionFields): string | null {
  const machineText = machineWrittenText(fields);
  return descriptionTexts(fields).find((text) => text !== machineText) ?? null;
}
