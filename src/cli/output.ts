/**
 * Writing rows in the four output formats, and reading back what an earlier run wrote (--resume).
 * jsonl and csv rows are written the moment a photo is done, each in one write, so after a crash
 * (even kill -9) the file holds every finished photo, plus at worst the start of one more row.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile, rename, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { csvRecords, parseCsv } from '../captioner/csv';
import { formatCaptionLine } from '../captioner/format';
import { metadataSummary, NOT_WRITTEN_SUMMARY } from './photo-metadata';
import type { PhotoRow } from './rows';
import { errorText } from './shared';

export const FORMATS = ['text', 'json', 'jsonl', 'csv'] as const;
export type OutputFormat = (typeof FORMATS)[number];

/** Formats written row by row as photos finish: the ones --resume can continue. */
export type StreamedFormat = Extract<OutputFormat, 'jsonl' | 'csv'>;
export const isStreamed = (format: OutputFormat): format is StreamedFormat => format === 'jsonl' || format === 'csv';

/** csv: the jsonl row flattened to the best caption and its language; objects as JSON text; with --write-metadata, the photo's description and what was written. */
const csvColumns = (metadata: boolean) => ['file', 'caption', 'language', 'p', 'objects', 'error', ...(metadata ? ['description', 'metadata'] : [])];

/**
 * A csv file of version 0.2, before captions had a language (all were English), gains the column, so
 * that --resume can go on appending today's rows to it: the text as it should be, or null when the
 * file already has today's columns (or is not a csv this command wrote, which parseRows reports).
 */
function withLanguageColumn(text: string, metadata: boolean): string | null {
  const columns = csvColumns(metadata);
  const languageAt = columns.indexOf('language');
  const before = columns.filter((column) => column !== 'language');
  // Only a 0.2 file is parsed here (parseRows parses every file): its header line tells it apart.
  if (!text.startsWith(csvRecords([before], '\n'))) return null;
  let rows: string[][];
  try {
    rows = parseCsv(text).records.slice(1);
  } catch {
    return null;
  }
  const errorAt = before.indexOf('error');
  const language = (cells: string[]) => (cells[errorAt] ? '' : 'en');
  return csvRecords([columns, ...rows.map((cells) => cells.toSpliced(languageAt, 0, language(cells)))], '\n');
}

function csvCells(row: PhotoRow, metadata: boolean): (string | number)[] {
  const metadataCells = (description = '', summary = '') => (metadata ? [description, summary] : []);
  if ('error' in row) return [row.file, '', '', '', '', row.error, ...metadataCells()];
  const [best] = row.captions;
  const summary = row.metadata ? metadataSummary({ description: row.description, metadata: row.metadata }) : '';
  return [row.file, best?.text ?? '', row.language, best?.p ?? '', row.objects ? JSON.stringify(row.objects) : '', '', ...metadataCells(row.description, summary)];
}

/** im2txt's run_inference output for one photo. */
function textBlock(row: PhotoRow): string {
  if ('error' in row) return '';
  const lines = row.captions.map((caption, rank) => `  ${formatCaptionLine(rank, caption)}\n`);
  return `Captions for image ${path.basename(row.file)}:\n${lines.join('')}`;
}

export interface OutputTarget {
  write(text: string): void;
  close(): void;
}

export const stdoutTarget: OutputTarget = { write: (text) => void process.stdout.write(text), close: () => {} };

/** A file written with one write call per row, nothing held in memory. */
export function fileTarget(file: string, mode: 'append' | 'overwrite'): OutputTarget {
  const fd = openSync(file, mode === 'append' ? 'a' : 'w');
  return {
    write: (text) => {
      const bytes = Buffer.from(text);
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
    },
    close: () => closeSync(fd),
  };
}

/**
 * Takes rows as photos finish. jsonl and csv go out at once; text and json go out in input order
 * (text as soon as every earlier photo is done, json as one array at the end), so they do not
 * depend on which thread finished first.
 */
export class RowWriter {
  private readonly held = new Map<number, PhotoRow>();
  private nextIndex = 0;
  private readonly ordered: PhotoRow[] = [];

  constructor(
    private readonly format: OutputFormat,
    private readonly target: OutputTarget,
    private readonly options: { csvHeader: boolean; metadata?: boolean },
  ) {
    if (format === 'csv' && options.csvHeader) target.write(csvRecords([csvColumns(options.metadata ?? false)], '\n'));
  }

  /** Row `index` (its photo's place in the input) is done. */
  add(index: number, row: PhotoRow): void {
    if (this.format === 'jsonl') return this.target.write(JSON.stringify(row) + '\n');
    if (this.format === 'csv') return this.target.write(csvRecords([csvCells(row, this.options.metadata ?? false)], '\n'));
    this.held.set(index, row);
    for (let next = this.held.get(this.nextIndex); next; next = this.held.get(this.nextIndex)) {
      this.held.delete(this.nextIndex++);
      if (this.format === 'text') this.target.write(textBlock(next));
      else this.ordered.push(next);
    }
  }

  finish(): void {
    if (this.format === 'json') this.target.write(JSON.stringify(this.ordered) + '\n');
    this.target.close();
  }
}

export interface WrittenRows {
  /** Resolved paths of the photos the file has a row for. */
  files: Set<string>;
  /** How many of those rows failed: errors, or (--write-metadata) descriptions not written. */
  failed: number;
  /** Failed rows taken out of the file to be captioned again (--retry-failed). */
  retried: number;
  /** Whether the file has no complete row, nor a csv header. */
  empty: boolean;
  /** Bytes of an unfinished last row (the earlier run was killed while writing it), cut off the file. */
  droppedBytes: number;
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;

/** Where the last complete row of a jsonl or csv file ends (a csv field in quotes may hold newlines). */
function completeLength(bytes: Buffer, format: StreamedFormat): number {
  let end = bytes.lastIndexOf(NEWLINE) + 1;
  // csv doubles the quotes inside a quoted field, so an odd count means the cut is inside a field.
  const insideQuotes = (length: number) => bytes.subarray(0, length).filter((byte) => byte === QUOTE).length % 2 === 1;
  if (format === 'csv') while (end > 0 && insideQuotes(end)) end = bytes.lastIndexOf(NEWLINE, end - 2) + 1;
  return end;
}

/**
 * A row of an earlier run: its photo, whether it failed (an error, or with --write-metadata a
 * description that could not be written), and where it ends in the file's text.
 */
interface WrittenRow {
  file: string;
  failed: boolean;
  end: number;
}

/** The rows of a jsonl or csv file's complete text, and where its header (csv) ends. */
function parseRows(text: string, format: StreamedFormat, file: string, metadata: boolean): { headerEnd: number; rows: WrittenRow[] } {
  const notOurs = (why: string) => new Error(`cannot resume ${file}: ${why}; is it a ${format} file this command wrote${metadata ? ' with --write-metadata' : ''}?`);
  if (format === 'csv') {
    let parsed;
    try {
      parsed = parseCsv(text);
    } catch (error) {
      throw notOurs(errorText(error));
    }
    const [header = [], ...records] = parsed.records;
    if (parsed.records.length > 0 && header.join() !== csvColumns(metadata).join()) throw notOurs(`its header is "${header.join()}"`);
    const column = (name: string) => header.indexOf(name);
    const [fileColumn, errorColumn, metadataColumn] = [column('file'), column('error'), column('metadata')];
    const failed = (cells: string[]) => Boolean(cells[errorColumn]) || (metadataColumn >= 0 && (cells[metadataColumn] ?? '').startsWith(NOT_WRITTEN_SUMMARY));
    return {
      headerEnd: parsed.ends[0] ?? 0,
      rows: records.map((cells, index) => ({ file: cells[fileColumn] ?? '', failed: failed(cells), end: parsed.ends[index + 1] })),
    };
  }
  const rows: WrittenRow[] = [];
  let end = 0;
  for (const [number, line] of text.split('\n').entries()) {
    end += line.length + 1;
    if (line === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw notOurs(`line ${number + 1} is not JSON`);
    }
    if (typeof row !== 'object' || row === null || typeof (row as { file?: unknown }).file !== 'string') throw notOurs(`line ${number + 1} names no file`);
    const { file: photo, error, metadata: written } = row as { file: string; error?: string; metadata?: { status?: string } };
    rows.push({ file: photo, failed: error !== undefined || written?.status === 'not-written', end: Math.min(end, text.length) });
  }
  return { headerEnd: 0, rows };
}

/** Replaces `file` in one rename, so a crash leaves either the old file or the new one. */
async function replaceFile(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

/**
 * The photos an earlier run already wrote to `file` (none when it does not exist). An unfinished
 * last row is cut off the file, so the rows appended next start on a line of their own. The error
 * rows of the photos in `retry` (resolved paths: --retry-failed) are taken out of the file, in one
 * rename, and those photos are not counted as written, so they are captioned again and their new
 * rows appended.
 */
export async function readWrittenRows(
  file: string,
  format: StreamedFormat,
  options: { metadata?: boolean; retry?: ReadonlySet<string> } = {},
): Promise<WrittenRows> {
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return Buffer.alloc(0);
    throw error;
  });
  const length = completeLength(bytes, format);
  let text = bytes.subarray(0, length).toString('utf8');
  const upgraded = format === 'csv' ? withLanguageColumn(text, options.metadata ?? false) : null;
  if (upgraded !== null) {
    await replaceFile(file, upgraded);
    text = upgraded;
  }
  const { headerEnd, rows } = parseRows(text, format, file, options.metadata ?? false);
  const failed = rows.filter((row) => row.failed);
  const retried = new Set(failed.filter((row) => options.retry?.has(path.resolve(row.file))));
  if (retried.size > 0) {
    const kept = rows.map((row, index) => (retried.has(row) ? '' : text.slice(rows[index - 1]?.end ?? headerEnd, row.end)));
    await replaceFile(file, text.slice(0, headerEnd) + kept.join(''));
  } else if (upgraded === null && length < bytes.length) await truncate(file, length);
  return {
    files: new Set(rows.filter((row) => !retried.has(row)).map((row) => path.resolve(row.file))),
    failed: failed.length - retried.size,
    retried: retried.size,
    empty: length === 0,
    droppedBytes: bytes.length - length,
  };
}
