/**
 * --write-metadata: embeds a caption in the photo itself, in the fields photo managers and web sites
 * read (XMP dc:description in every format that has XMP; EXIF ImageDescription and IPTC
 * Caption-Abstract too in a JPEG), with ExifTool (exiftool-vendored: one long-lived exiftool process
 * per thread, Debian's perl). A description a person already wrote is kept unless --overwrite.
 *
 * ExifTool copies the image data as it is (pixels are never re-encoded) into `photo_exiftool_tmp`
 * and renames that over the photo, so a crash or kill -9 leaves each photo as it was or fully written.
 */
import { unlink } from 'node:fs/promises';
import type { ExifTool } from 'exiftool-vendored';
import { FIELD_NAMES, MACHINE_WRITER, machineCaptionWriter, meaningfulText, photoDescription, type DescriptionFields } from '../captioner/description';

/** exiftool-vendored is an optional peer of the npm package (about 30 MB): only --write-metadata needs it. */
const exiftoolPackage = await import('exiftool-vendored').catch(() => null);

export interface MetadataSettings {
  /** Replace a description the photo already has. */
  overwrite: boolean;
  /** Only say what would be written. */
  dryRun: boolean;
  /** Put before the caption in the written text ("" by default), e.g. "Machine-written: ". */
  prefix: string;
  /** exiftool processes working at once (one keeps up with about four captioning threads: a photo takes it tens of ms). */
  processes: number;
}

/** What --write-metadata did to one photo, in its output row. */
export type MetadataCell =
  | { status: 'written' | 'would-write'; text: string; fields: string[] }
  /** The photo already holds this text, written by this tool. */
  | { status: 'unchanged'; text: string }
  /** The photo's own description stays (shown in the row's `description`). */
  | { status: 'kept'; reason: string }
  | { status: 'not-written'; reason: string };

export interface MetadataResult {
  /** The photo's own description, when it has one (from a person, or an earlier run). */
  description?: string;
  metadata: MetadataCell;
}

/** The fields each format can hold, by ExifTool's FileTypeExtension (told by the bytes, not the file's name). */
const FORMAT_FIELDS: Record<string, (keyof DescriptionFields)[]> = {
  jpg: ['xmp', 'exif', 'iptc'],
  png: ['xmp'],
  webp: ['xmp'],
  gif: ['xmp'],
};

const TAGS: Record<keyof DescriptionFields, string> = {
  xmp: 'XMP-dc:Description',
  exif: 'EXIF:ImageDescription',
  iptc: 'IPTC:Caption-Abstract',
};
const XMP_WRITER_TAG = 'XMP-photoshop:CaptionWriter';
const READ_ARGS = ['FileTypeExtension', ...Object.values(TAGS), XMP_WRITER_TAG].map((tag) => `-${tag}`);

/** ExifTool gives numbers for numeric-looking text ("2024"); a description is text either way. */
const asText = (value: unknown) => (value === undefined || value === null ? undefined : String(value));

/** What happened, in words: a CSV cell, and (after the file name) the line a text-format run prints. */
export function metadataSummary({ description, metadata }: MetadataResult): string {
  switch (metadata.status) {
    case 'written':
    case 'would-write':
      return `${metadata.status === 'written' ? 'wrote' : 'would write'} "${metadata.text}" to ${metadata.fields.join(', ')}`;
    case 'unchanged':
      return `already holds "${metadata.text}"`;
    case 'kept':
      return `kept its description "${description}" (${metadata.reason})`;
    case 'not-written':
      return `description not written: ${metadata.reason}`;
  }
}

export class PhotoMetadata {
  private constructor(
    private readonly exiftool: ExifTool,
    private readonly settings: MetadataSettings,
  ) {}

  /** Starts an exiftool process now (perl takes a moment), so that it is ready for the first photo. */
  static start(settings: MetadataSettings): PhotoMetadata {
    if (!exiftoolPackage) throw new Error('--write-metadata needs ExifTool: install it next to this package with `npm install exiftool-vendored` (and have perl)');
    const exiftool = new exiftoolPackage.ExifTool({ maxProcs: settings.processes, useMWG: false, readArgs: [] });
    void exiftool.version().catch(() => {}); // a failure shows again on the first photo
    return new PhotoMetadata(exiftool, settings);
  }

  /**
   * Reads the photo's description fields and writes `caption` (a sentence) where the settings allow,
   * recording `modelName` (with MACHINE_WRITER) as the caption's writer.
   */
  async apply(file: string, caption: string, modelName: string): Promise<MetadataResult> {
    const read = await this.exiftool.readRaw(file, { readArgs: READ_ARGS, useMWG: false });
    const fields: DescriptionFields = { xmp: asText(read.Description), exif: asText(read.ImageDescription), iptc: asText(read['Caption-Abstract']) };
    const text = `${this.settings.prefix}${caption}`;
    const present = Object.values(fields).map(meaningfulText).filter((value) => value !== '');
    const ownEarlierText = asText((read as Record<string, unknown>).CaptionWriter)?.startsWith(MACHINE_WRITER) && present.every((value) => value === text);
    // Text this tool wrote before is not a person's description.
    const description = ownEarlierText ? undefined : (photoDescription(fields) ?? undefined);
    const format = asText(read.FileTypeExtension) ?? '';
    const supported = FORMAT_FIELDS[format];
    if (!supported) {
      return { description, metadata: { status: 'not-written', reason: `${format.toUpperCase() || 'these'} files have no XMP, EXIF or IPTC fields (--xmp writes a sidecar instead)` } };
    }
    if (ownEarlierText && supported.every((key) => meaningfulText(fields[key]) === text)) return { description, metadata: { status: 'unchanged', text } };
    if (description !== undefined && !this.settings.overwrite) {
      return { description, metadata: { status: 'kept', reason: '--overwrite replaces it' } };
    }
    const fieldNames = supported.map((key) => FIELD_NAMES[key]);
    if (this.settings.dryRun) return { description, metadata: { status: 'would-write', text, fields: fieldNames } };
    await this.write(file, text, supported, modelName);
    return { description, metadata: { status: 'written', text, fields: fieldNames } };
  }

  private async write(file: string, text: string, fields: (keyof DescriptionFields)[], modelName: string): Promise<void> {
    const tags: Record<string, string> = {
      [XMP_WRITER_TAG]: machineCaptionWriter(modelName),
    };
    for (const key of fields) tags[TAGS[key]] = text;
    const writeArgs = ['-overwrite_original'];
    if (fields.includes('iptc')) {
      tags['IPTC:CodedCharacterSet'] = 'UTF8';
      tags['IPTC:Writer-Editor'] = MACHINE_WRITER;
      // The photo's other IPTC text, read in its own character set, is written again in UTF-8 (ExifTool's FAQ 10): declaring UTF-8 alone would garble its Latin-1 accents.
      writeArgs.push('-tagsFromFile', '@', '-IPTC:all', ...Object.keys(tags).filter((tag) => tag.startsWith('IPTC:')).map((tag) => `--${tag}`));
    }
    // A temporary file left by a write that was killed would stop ExifTool writing this photo again.
    await unlink(`${file}_exiftool_tmp`).catch(() => {});
    await this.exiftool.write(file, tags, { writeArgs, useMWG: false });
  }

  end(): Promise<void> {
    return this.exiftool.end();
  }
}
