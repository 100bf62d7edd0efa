/**
 * Every captioned photo as CSV (spreadsheets) or JSON (scripts), with the caption the user chose and
 * the photo's own description; and one JPEG with its alt text embedded (a card's download).
 */
import { machineCaptionWriter } from '../captioner/description';
import { altTextOf, captionLanguageOf, isJpegFile, modelAltText, usesPhotoDescription, type CaptionSettings, type PhotoJob, type ResultDetails } from '../store/jobs';
import type { DetectedObject } from '../worker/protocol';

export interface ExportRow {
  file: string;
  /** What "Copy alt text" copies: the user's edit, else the photo's own description or the model's best caption as a sentence, as chosen. */
  caption: string;
  /** The language of the model's captions (BCP 47): what the model wrote, and the caption unless a person's words replace it. */
  language: string;
  edited: boolean;
  /** The description the photo itself carries (a person's words, or machine-written ones: see PhotoJob.descriptionWriter), null when none. */
  description: string | null;
  /** Probability of the model's best caption. */
  p: number;
  modelCaption: string;
  /** The model's captions, best first, in its own tokens. */
  captions: { text: string; p: number }[];
  /** Only for models that detect objects. */
  objects?: DetectedObject[];
  settings: CaptionSettings | null;
}

/** One row per captioned photo; `details` (allResultDetails) gives each its captions and objects, else its best caption stands alone. */
export function exportRows(jobs: readonly PhotoJob[], details: ReadonlyMap<string, ResultDetails>): ExportRow[] {
  return jobs.flatMap((job): ExportRow[] => {
    const { state } = job;
    if (state.kind !== 'done' || !state.best) return [];
    const result = details.get(job.id);
    return [
      {
        file: job.name,
        caption: altTextOf(job),
        language: captionLanguageOf(job),
        edited: job.editedCaption !== null,
        description: job.description,
        p: state.best.p,
        modelCaption: modelAltText(job),
        captions: (result?.captions ?? [state.best]).map(({ text, p }) => ({ text, p })),
        ...(result?.objects && { objects: result.objects }),
        settings: job.settings,
      },
    ];
  });
}

/** At most this many photos are named in the export's note; the rest are counted. */
const NAMED_IN_SHORTFALL = 10;

/**
 * What an export lacks, for the page to say; null when nothing. A finished photo whose details are
 * neither at hand nor in storage (storage unreadable, `unreadable` says why, or cleared) is exported
 * with its best caption only, without the model's other captions and the objects it detected.
 */
export function exportShortfall(jobs: readonly PhotoJob[], details: ReadonlyMap<string, ResultDetails>, unreadable: string | null): string | null {
  const missing = jobs.filter((job) => job.state.kind === 'done' && job.state.best && !details.has(job.id)).map((job) => job.name);
  if (missing.length === 0) return null;
  const named = missing.slice(0, NAMED_IN_SHORTFALL).join(', ');
  const more = missing.length > NAMED_IN_SHORTFALL ? ` and ${missing.length - NAMED_IN_SHORTFALL} more` : '';
  const why = unreadable ? `this browser’s storage could not be read: ${unreadable}` : 'this browser’s storage no longer holds them';
  const photos = missing.length === 1 ? '1 photo' : `${missing.length} photos`;
  return `The export lacks the other captions and the detected objects of ${photos} (${named}${more}), because ${why}. It has their best caption.`;
}

export function toJson(rows: readonly ExportRow[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** "person 0.91; dog 0.80" */
function objectsCell(objects: readonly DetectedObject[] | undefined): string {
  return (objects ?? []).map(({ label, score }) => `${label} ${score.toFixed(2)}`).join('; ');
}

/** Spreadsheet columns; the full list of captions and the settings are in the JSON. */
export const CSV_COLUMNS = ['file', 'caption', 'language', 'p', 'edited', 'model_caption', 'description', 'objects'] as const;

/**
 * RFC 4180 CSV with a UTF-8 byte-order mark (so Excel reads accents); cells starting with = + - @
 * are escaped as in the CLI's csv (src/captioner/csv.ts), so an edited caption or a photo's own
 * description cannot run as a spreadsheet formula. The CSV code is loaded only when asked for.
 */
export async function toCsv(rows: readonly ExportRow[]): Promise<string> {
  const { csvRecords } = await import('../captioner/csv');
  const data = rows.map((row) => [row.file, row.caption, row.language, row.p, row.edited, row.modelCaption, row.description ?? '', objectsCell(row.objects)]);
  return `\uFEFF${csvRecords([[...CSV_COLUMNS], ...data], '\r\n')}`;
}

/** Whether the card can download its photo with the alt text embedded: a JPEG from this visit. */
export const canDownloadWithAltText = (job: PhotoJob): job is PhotoJob & { file: File } => job.state.kind === 'done' && isJpegFile(job.file);

/**
 * The photo as a JPEG with its alt text in its own metadata (see jpeg-description.ts; the image data
 * is copied byte for byte). The model's caption is marked as machine-written; a person's words are not.
 */
export async function jpegWithAltText(job: PhotoJob): Promise<Blob> {
  if (!canDownloadWithAltText(job)) throw new Error('Only a JPEG photo added in this visit can be downloaded with its alt text.');
  const [{ embedJpegDescription }, bytes] = await Promise.all([import('./jpeg-description'), job.file.arrayBuffer()]);
  // The model's caption, or the photo's own machine-written description (which keeps its writer), is marked machine-written.
  const writer = job.editedCaption !== null ? null : usesPhotoDescription(job) ? job.descriptionWriter : machineCaptionWriter(job.settings?.modelId || 'unknown');
  return new Blob([embedJpegDescription(new Uint8Array(bytes), altTextOf(job), writer)], { type: 'image/jpeg' });
}
