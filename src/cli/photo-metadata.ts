/**
 * --write-metadata: embeds a caption in the photo itself, in the fields photo managers and web sites
 * read (XMP dc:description in every format that has XMP; EXIF ImageDescription and IPTC
 * Caption-Abstract too in a JPEG), with ExifTool (exiftool-vendored: one long-lived exiftool process
 * per thread, Debian's perl). A description a person already wrote, in any language, is kept unless
 * --overwrite, which replaces only the default-language entry and keeps the others. The caption goes
 * under x-default and under its own language (dc:description-de for a German caption); entries this
 * tool wrote before with its previous caption (in another language) are removed, a person's stay.
 *
 * ExifTool copies the image data as it is (pixels are never re-encoded) into a copy of the photo in a
 * journal, which is checked and then copied into the photo itself (in-place-write.ts): links, owner,
 * mode and times stay, and a kill -9 at any moment is finished by the next run. The same file reached
 * twice (a link and its target) is written once; a read-only photo is not written.
 */
import { constants, type BigIntStats } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import type { ExifTool, Tags } from 'exiftool-vendored';
import {
  DEFAULT_LANGUAGE,
  FIELD_NAMES,
  MACHINE_WRITER,
  machineCaptionWriter,
  machineWrittenText,
  meaningfulText,
  photoDescription,
  type DescriptionField,
  type DescriptionFields,
} from '../captioner/description';
import { pendingRecoveries, recoverJournals, WriteJournal, type RecoveryNote } from './in-place-write';

/** exiftool-vendored is an optional peer of the npm package (about 30 MB): only --write-metadata needs it. */
const exiftoolPackage = await import('exiftool-vendored').catch(() => null);

export interface MetadataSettings {
  /** Replace a description the photo already has (its default-language entry). */
  overwrite: boolean;
  /** Only say what would be written. */
  dryRun: boolean;
  /** Put before the caption in the written text ("" by default), e.g. "Machine-written: ". */
  prefix: string;
  /** Set a written photo's modification time to now, instead of keeping it. */
  updateMtime: boolean;
  /** exiftool processes working at once (one keeps up with about four captioning threads: a photo takes it tens of ms). */
  processes: number;
  /** Where write journals are kept (defaultJournalRoot()). */
  journalRoot: string;
}

/** What --write-metadata did to one photo, in its output row. */
export type MetadataCell = (
  /** `language`: the caption's (BCP 47), also its xml:lang in XMP dc:description. */
  | { status: 'written' | 'would-write'; text: string; language: string; fields: string[] }
  /** The photo already holds this text, written by this tool. */
  | { status: 'unchanged'; text: string }
  /** The photo's own description stays (shown in the row's `description`). */
  | { status: 'kept'; reason: string }
  | { status: 'not-written'; reason: string }
) & {
  /** The photo is the same file as this one found earlier (a link to it, or a hard link): written once, as that row says. */
  sameFileAs?: string;
};

export interface MetadataResult {
  /** The photo's own description, when it has one (from a person, or an earlier run). */
  description?: string;
  metadata: MetadataCell;
}

/** The fields each format can hold, by ExifTool's FileTypeExtension (told by the bytes, not the file's name). */
const FORMAT_FIELDS: Record<string, DescriptionField[]> = {
  jpg: ['xmp', 'exif', 'iptc'],
  png: ['xmp'],
  webp: ['xmp'],
  gif: ['xmp'],
};

/** dc:description's entry in one language (ExifTool's tag name). */
const xmpEntryTag = (language: string) => `XMP-dc:Description-${language}`;

/** Where each field is written: dc:description in the default language (and the caption's, see write()), so the other languages stay. */
const TAGS: Record<DescriptionField, string> = {
  xmp: xmpEntryTag(DEFAULT_LANGUAGE),
  exif: 'EXIF:ImageDescription',
  iptc: 'IPTC:Caption-Abstract',
};

/** The dc:description entry of `language`, however the photo spells the tag's case. */
const entryIn = (fields: DescriptionFields, language: string) =>
  Object.entries(fields.xmp ?? {}).find(([tag]) => tag.toLowerCase() === language.toLowerCase())?.[1];

/**
 * The languages whose entries hold this tool's previous caption (the machine-written x-default's text),
 * other than the ones about to be written: a caption in a new language replaces them.
 */
function staleMachineEntries(fields: DescriptionFields, language: string): string[] {
  const previous = machineWrittenText(fields);
  if (previous === null) return [];
  return Object.entries(fields.xmp ?? {})
    .filter(([tag, text]) => tag !== DEFAULT_LANGUAGE && tag.toLowerCase() !== language.toLowerCase() && meaningfulText(text) === previous)
    .map(([tag]) => tag);
}
const XMP_WRITER_TAG = 'XMP-photoshop:CaptionWriter';
/** dc:description's default entry comes as "Description", every other language as "Description-<lang>". */
const READ_ARGS = ['FileTypeExtension', 'XMP-dc:Description', 'XMP-dc:Description-*', 'EXIF:ImageDescription', 'IPTC:Caption-Abstract', XMP_WRITER_TAG].map((tag) => `-${tag}`);

/** ExifTool gives numbers for numeric-looking text ("2024"); a description is text either way. */
const asText = (value: unknown) => (value === undefined || value === null ? undefined : String(value));

/** The description fields among what ExifTool read (READ_ARGS). */
function descriptionFields(read: Record<string, unknown>): DescriptionFields {
  const xmp: Record<string, string> = {};
  for (const [tag, value] of Object.entries(read)) {
    const language = tag === 'Description' ? DEFAULT_LANGUAGE : tag.startsWith('Description-') ? tag.slice('Description-'.length) : null;
    if (language !== null) xmp[language] = asText(value) ?? '';
  }
  return { xmp, exif: asText(read.ImageDescription), iptc: asText(read['Caption-Abstract']), writer: asText(read.CaptionWriter) };
}

/** The text in each field this tool writes. */
const writtenFields = (fields: DescriptionFields): Record<DescriptionField, string> => ({
  xmp: meaningfulText(fields.xmp?.[DEFAULT_LANGUAGE]),
  exif: meaningfulText(fields.exif),
  iptc: meaningfulText(fields.iptc),
});

/** Why the photo cannot be written as promised (its owner, mode and times kept), or null when it can. */
async function writeProblem(target: string, info: BigIntStats, updateMtime: boolean): Promise<string | null> {
  const mode = Number(info.mode) & 0o777;
  if ((mode & 0o222) === 0) return `the photo is read-only (mode ${mode.toString(8)}), so it is left as it is`;
  if (!(await access(target, constants.W_OK).then(() => true, () => false))) return 'no permission to write the photo, so it is left as it is';
  const uid = process.getuid?.();
  if (!updateMtime && uid !== undefined && uid !== 0 && BigInt(uid) !== info.uid) {
    return 'the photo belongs to another user, who alone can keep its modification time (--update-mtime lets it change)';
  }
  return null;
}

/** What happened, in words: a CSV cell, and (after the file name) the line a text-format run prints. */
/** How a csv row's metadata cell opens when the description could not be written (--resume reads it back). */
export const NOT_WRITTEN_SUMMARY = 'description not written: ';

export function metadataSummary(result: MetadataResult): string {
  const { sameFileAs } = result.metadata;
  return sameFileAs === undefined ? outcomeSummary(result) : `${outcomeSummary(result)} (the same file as ${sameFileAs}, written once)`;
}

function outcomeSummary({ description, metadata }: MetadataResult): string {
  switch (metadata.status) {
    case 'written':
    case 'would-write':
      return `${metadata.status === 'written' ? 'wrote' : 'would write'} "${metadata.text}" (${metadata.language}) to ${metadata.fields.join(', ')}`;
    case 'unchanged':
      return `already holds "${metadata.text}"`;
    case 'kept':
      return `kept its description "${description}" (${metadata.reason})`;
    case 'not-written':
      return `${NOT_WRITTEN_SUMMARY}${metadata.reason}`;
  }
}

export class PhotoMetadata {
  /** Each file's result by device and inode, so that a file reached twice is written once. */
  private readonly files = new Map<string, { file: string; result: Promise<MetadataResult> }>();

  private constructor(
    private readonly exiftool: ExifTool,
    private readonly settings: MetadataSettings,
    /** Absent with --dry-run, which writes nothing. */
    private readonly journal: WriteJournal | undefined,
    /** What finishing the writes of interrupted runs did (or, with --dry-run, that some wait), for stderr. */
    readonly recovered: RecoveryNote[],
  ) {}

  /**
   * Finishes the writes interrupted runs left in their journals (not with --dry-run, which writes
   * nothing), and starts an exiftool process, so that it is ready for the first photo.
   */
  static async start(settings: MetadataSettings): Promise<PhotoMetadata> {
    if (!exiftoolPackage) throw new Error('--write-metadata needs ExifTool: install it next to this package with `npm install exiftool-vendored` (and have perl)');
    let recovered: RecoveryNote[];
    let journal: WriteJournal | undefined;
    if (settings.dryRun) {
      const pending = await pendingRecoveries(settings.journalRoot);
      recovered = pending > 0 ? [`${pending} photos wait for an interrupted run's write to be finished: a run without --dry-run finishes them`] : [];
    } else {
      recovered = await recoverJournals(settings.journalRoot);
      journal = await WriteJournal.create(settings.journalRoot, { updateMtime: settings.updateMtime });
    }
    const exiftool = new exiftoolPackage.ExifTool({ maxProcs: settings.processes, useMWG: false, readArgs: [] });
    void exiftool.version().catch(() => {}); // a failure shows again on the first photo
    return new PhotoMetadata(exiftool, settings, journal, recovered);
  }

  /**
   * Reads the photo's description fields and writes `caption` (a sentence in `language`) where the
   * settings allow, recording `modelName` (with MACHINE_WRITER) as the caption's writer. Rejects, with
   * the reason, when the photo cannot or may not be written.
   */
  async apply(file: string, caption: string, modelName: string, language: string): Promise<MetadataResult> {
    const target = await realpath(file);
    const info = await stat(target, { bigint: true });
    const key = `${info.dev}:${info.ino}`;
    const first = this.files.get(key);
    if (first) {
      const result = await first.result;
      return { ...result, metadata: { ...result.metadata, sameFileAs: first.file } };
    }
    const result = this.applyTo(target, info, `${this.settings.prefix}${caption}`, modelName, language);
    this.files.set(key, { file, result });
    return result;
  }

  private async applyTo(target: string, info: BigIntStats, text: string, modelName: string, language: string): Promise<MetadataResult> {
    const { fields, format } = await this.read(target);
    const description = photoDescription(fields) ?? undefined;
    const supported = FORMAT_FIELDS[format];
    if (!supported) {
      return { description, metadata: { status: 'not-written', reason: `${format.toUpperCase() || 'these'} files have no XMP, EXIF or IPTC fields (--xmp writes a sidecar instead)` } };
    }
    const held = writtenFields(fields);
    const languageHeld = entryIn(fields, language) === text && staleMachineEntries(fields, language).length === 0;
    if (machineWrittenText(fields) === text && supported.every((key) => held[key] === text) && languageHeld) return { description, metadata: { status: 'unchanged', text } };
    if (description !== undefined && !this.settings.overwrite) {
      return { description, metadata: { status: 'kept', reason: '--overwrite replaces it' } };
    }
    const problem = await writeProblem(target, info, this.settings.updateMtime);
    if (problem) throw new Error(problem);
    const fieldNames = supported.map((key) => FIELD_NAMES[key]);
    if (!this.journal) return { description, metadata: { status: 'would-write', text, language, fields: fieldNames } };
    const stale = staleMachineEntries(fields, language);
    // The copy is named by the format the bytes are (a JPEG named .HEIC is written as the JPEG it is).
    await this.journal.rewrite(target, format, async (copy) => {
      await this.write(copy, { text, language, stale }, supported, modelName);
      await this.check(copy, format, text, language, supported);
    });
    return { description, metadata: { status: 'written', text, language, fields: fieldNames } };
  }

  /** The description fields, and the format by the bytes (ExifTool's FileTypeExtension: "jpg", "png", …; '' when unknown). */
  private async read(file: string): Promise<{ fields: DescriptionFields; format: string }> {
    const read = await this.exiftool.readRaw<Tags & Record<string, unknown>>(file, { readArgs: READ_ARGS, useMWG: false });
    return { fields: descriptionFields(read), format: asText(read.FileTypeExtension) ?? '' };
  }

  /** Writes `text` to `fields` and under its `language` in XMP, removing the `stale` languages' entries (this tool's earlier caption). */
  private async write(file: string, { text, language, stale }: { text: string; language: string; stale: string[] }, fields: DescriptionField[], modelName: string): Promise<void> {
    const tags: Record<string, string | null> = {
      [XMP_WRITER_TAG]: machineCaptionWriter(modelName),
    };
    for (const key of fields) tags[TAGS[key]] = text;
    tags[xmpEntryTag(language)] = text;
    // null deletes a tag (exiftool-vendored).
    for (const tag of stale) tags[xmpEntryTag(tag)] = null;
    const writeArgs = ['-overwrite_original'];
    if (fields.includes('iptc')) {
      tags['IPTC:CodedCharacterSet'] = 'UTF8';
      tags['IPTC:Writer-Editor'] = MACHINE_WRITER;
      // The photo's other IPTC text, read in its own character set, is written again in UTF-8 (ExifTool's FAQ 10): declaring UTF-8 alone would garble its Latin-1 accents.
      writeArgs.push('-tagsFromFile', '@', '-IPTC:all', ...Object.keys(tags).filter((tag) => tag.startsWith('IPTC:')).map((tag) => `--${tag}`));
    }
    await this.exiftool.write(file, tags, { writeArgs, useMWG: false });
  }

  /** Reads the new version back: the same format, holding the text in every field (and XMP's entry in its language), marked as this tool's. */
  private async check(file: string, format: string, text: string, language: string, fields: DescriptionField[]): Promise<void> {
    const read = await this.read(file);
    const held = writtenFields(read.fields);
    const missing = fields.filter((key) => held[key] !== text).map((key) => FIELD_NAMES[key]);
    if (entryIn(read.fields, language) !== text) missing.push(`${FIELD_NAMES.xmp} (${language})`);
    if (read.format !== format || missing.length > 0 || machineWrittenText(read.fields) !== text) {
      throw new Error(`ExifTool's new version did not read back as written (${missing.join(', ') || 'format or writer'}); the photo is left as it is`);
    }
  }

  async end(): Promise<void> {
    await this.exiftool.end();
    await this.journal?.close();
  }
}
