#!/usr/bin/env node
/**
 * Captions photos and whole photo libraries from the command line: files and folders (walked
 * recursively), on several threads, as the im2txt tutorial's text, JSON, JSON lines or CSV; resumable
 * after a crash and splittable into shards across processes or machines. `npm run caption -- --help`.
 */
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isEntryPoint } from '../node/entry-point';
import { isTypeScriptSource } from '../node/module-thread';
import { toAltText } from '../captioner/format';
import { languageDefaultModel, languageName, modelLanguages } from '../captioner/language';
import type { ModelList } from '../captioner/model-list';
import { bundledModelList, defaultModelDir, UnknownLanguageError } from '../node/default-model';
import { CaptionPool } from './caption-pool';
import { fileTarget, FORMATS, isStreamed, readWrittenRows, RowWriter, stdoutTarget, type OutputFormat } from './output';
import { findPhotos, parseShard, PHOTO_EXTENSIONS, shardOf, skippedNote } from './photo-files';
import { defaultJournalRoot } from './in-place-write';
import { metadataSummary, PhotoMetadata } from './photo-metadata';
import type { PhotoRow } from './rows';
import { startProgress } from './progress';
import {
  captionerOptions,
  commandUsage,
  errorText,
  modelLine,
  numberOption,
  parseCommandLine,
  runCommand,
  UsageError,
  type CommandOptions,
} from './shared';

const OPTIONS = {
  format: { type: 'string', default: 'text', value: FORMATS.join('|'), help: "text (the tutorial's), json (one array), jsonl or csv (a row per photo as it is done); default text" },
  json: { type: 'boolean', help: 'same as --format json' },
  out: { type: 'string', value: '<file>', help: 'write the rows to FILE (new, or continued with --resume) instead of stdout' },
  resume: { type: 'boolean', help: 'skip the photos FILE already has a row for and append the rest (jsonl and csv)' },
  'retry-failed': { type: 'boolean', help: 'with --resume: caption again the photos whose rows in FILE failed (errors, descriptions not written), replacing those rows' },
  shard: { type: 'string', value: 'K/N', help: 'caption only shard K of N (K = 0 … N-1): N runs cover every photo exactly once' },
  jobs: { type: 'string', value: '<n>', help: `captioning threads, each loading the model once (default: the number of cores, ${os.availableParallelism()} here)` },
  xmp: { type: 'boolean', help: 'also write each best caption to an XMP sidecar (photo.jpg.xmp, dc:description) next to its photo' },
  'write-metadata': {
    type: 'boolean',
    help: 'write each best caption into the photo itself: XMP dc:description, and in a JPEG EXIF ImageDescription and IPTC Caption-Abstract too (pixels untouched); a photo that already has a description keeps it',
  },
  overwrite: { type: 'boolean', help: 'with --write-metadata: replace the description a photo already has' },
  'dry-run': { type: 'boolean', help: 'with --write-metadata: write nothing, the rows say what would be written' },
  'description-prefix': { type: 'string', value: '<text>', help: 'with --write-metadata: put TEXT before the written caption (e.g. "Machine-written: "); none by default' },
  'update-mtime': { type: 'boolean', help: "with --write-metadata: set each written photo's modification time to now (kept by default)" },
  quiet: { type: 'boolean', help: 'no progress bar, model line or summary on stderr (errors are still printed)' },
  'list-models': { type: 'boolean', help: 'list the models that come with it (id, language, name; which one each --language picks) and exit' },
} as const satisfies CommandOptions;

/** --list-models: one line per bundled model: id, language tag and name, its name; "default" marks what --language (or nothing) picks. */
export function modelListing(list: ModelList): string {
  const picked = new Set(modelLanguages(list).map((language) => languageDefaultModel(list, language)?.id));
  const width = Math.max(...list.models.map((entry) => entry.id.length));
  const lines = list.models.map((entry) => {
    const marks = [entry.id === list.default ? 'default' : picked.has(entry.id) ? `default for --language ${entry.language}` : '', entry.fixture ? 'test fixture' : ''].filter(Boolean);
    return `${entry.id.padEnd(width)}  ${entry.language.padEnd(5)} ${languageName(entry.language).padEnd(8)}  ${entry.name}${marks.length > 0 ? ` (${marks.join(', ')})` : ''}`;
  });
  return `${lines.join('\n')}\n`;
}

/** --language without --model: that language's default model, or a usage error listing the languages there are. */
async function languageModelDir(language: string): Promise<string> {
  try {
    return await defaultModelDir(undefined, language);
  } catch (error) {
    throw error instanceof UnknownLanguageError ? new UsageError(`--language ${error.message}`) : error;
  }
}

/** How the command is started: from the repository, or as the npm package's bin. */
const COMMAND = isTypeScriptSource(import.meta.url) ? 'npm run caption --' : 'show-and-tell-browser';

const USAGE = `${commandUsage(`${COMMAND} [options] <files or folders>...`, OPTIONS)}
Folders are walked recursively for ${PHOTO_EXTENSIONS.join(' ')} files. Exit status: 0 when every photo
was captioned, 1 when some failed (each has an error row) or, with --write-metadata, could not be written (their
rows keep the captions, metadata "not-written"), 2 for a bad command line or a model that cannot load.`;

function outputFormat(format: string, json: boolean | undefined): OutputFormat {
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be ${FORMATS.join(', ')}; got "${format}"`);
  if (json && format !== 'text' && format !== 'json') throw new UsageError(`--json means --format json, which contradicts --format ${format}`);
  return json ? 'json' : (format as OutputFormat);
}

const isNonEmptyFile = (file: string) => (statSync(file, { throwIfNoEntry: false })?.size ?? 0) > 0;

/** The command: its exit code, or a UsageError for a bad command line (thrown before any work starts). */
export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  const options = captionerOptions(values);
  if (values['list-models']) {
    process.stdout.write(modelListing(await bundledModelList()));
    return 0;
  }
  if (options.language !== undefined && options.modelDir === undefined) options.modelDir = await languageModelDir(options.language);
  const format = outputFormat(values.format, values.json);
  const jobs = numberOption('jobs', values.jobs, true) ?? os.availableParallelism();
  if (jobs < 1) throw new UsageError(`--jobs must be at least 1, got ${jobs}`);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const out = values.out;
  if (values.resume && (out === undefined || !isStreamed(format))) throw new UsageError('--resume needs --out FILE and --format jsonl or csv');
  if (values['retry-failed'] && !values.resume) throw new UsageError('--retry-failed needs --resume');
  if (out !== undefined && !values.resume && isNonEmptyFile(out)) throw new UsageError(`${out} exists: add --resume to continue it, or remove it first`);
  const writeMetadata = values['write-metadata'] ?? false;
  for (const option of ['overwrite', 'dry-run', 'description-prefix', 'update-mtime'] as const) {
    if (values[option] !== undefined && !writeMetadata) throw new UsageError(`--${option} needs --write-metadata`);
  }
  if (values['dry-run'] && values.xmp) throw new UsageError('--dry-run writes nothing: leave out --xmp');
  if (positionals.length === 0) throw new UsageError('no files or folders given');
  const say = values.quiet ? () => {} : (line: string) => console.error(line);

  const { photos: found, skipped } = await findPhotos(positionals);
  const inShard = shard ? found.filter((file) => shardOf(file.shardKey, shard.count) === shard.index) : found;
  // --retry-failed takes out only the failed rows of photos this run covers: it captions them again.
  const retry = values['retry-failed'] ? new Set(inShard.map((file) => path.resolve(file.path))) : undefined;
  const written = values.resume && out !== undefined && isStreamed(format) ? await readWrittenRows(out, format, { metadata: writeMetadata, retry }) : undefined;
  const todo = written ? inShard.filter((file) => !written.files.has(path.resolve(file.path))) : inShard;
  say(
    `${found.length} photos found` +
      (shard ? `, ${inShard.length} in shard ${shard.index}/${shard.count}` : '') +
      (written ? `, ${inShard.length - todo.length} already in ${out}` : '') +
      (written && written.retried > 0 ? ` (${written.retried} failed rows taken out to try again)` : '') +
      `: ${todo.length} to caption`,
  );
  const skippedFiles = skippedNote(skipped);
  // Even with --quiet: a folder of files that are all skipped must not look like an empty folder.
  if (skippedFiles) (found.length === 0 ? console.error : say)(skippedFiles);
  if (written && written.droppedBytes > 0) say(`${out}: removed an unfinished last row (${written.droppedBytes} bytes) left by an interrupted run`);

  const writer = new RowWriter(format, out === undefined ? stdoutTarget : fileTarget(out, values.resume ? 'append' : 'overwrite'), {
    csvHeader: !written || written.empty,
    metadata: writeMetadata,
  });
  let failed = 0;
  if (todo.length > 0) {
    const threads = Math.min(jobs, todo.length);
    const metadata = writeMetadata
      ? await PhotoMetadata.start({
          overwrite: values.overwrite ?? false,
          dryRun: values['dry-run'] ?? false,
          prefix: values['description-prefix'] ?? '',
          updateMtime: values['update-mtime'] ?? false,
          processes: Math.ceil(threads / 4),
          journalRoot: defaultJournalRoot(),
        })
      : undefined;
    for (const line of metadata?.recovered ?? []) say(line);
    const pool = await CaptionPool.start(threads, { options, xmp: values.xmp ?? false }).catch(async (error: unknown) => {
      await metadata?.end();
      throw error;
    });
    say(`${modelLine(pool.model.modelName, pool.model.language, pool.model.modelDir, pool.model.backend)}, ${threads} thread${threads === 1 ? '' : 's'}`);
    if (pool.model.groundingProblem) say(`note: captions are not grounded in the detected objects: ${pool.model.groundingProblem}`);
    // A bar would garble results printed to the same terminal, so it shows only when they go elsewhere.
    const showBar = process.stderr.isTTY && !values.quiet && (out !== undefined || !process.stdout.isTTY);
    const progress = startProgress(todo.length, showBar);
    const done = (index: number, row: PhotoRow, warning?: string, writeFailed = false) => {
      writer.add(index, row);
      if ('error' in row) {
        failed++;
        progress.log(`${row.file}: ${row.error}`);
      } else if (writeFailed && row.metadata) {
        failed++;
        progress.log(`${row.file}: ${metadataSummary({ metadata: row.metadata })}`);
      } else if (row.metadata && format === 'text' && !values.quiet) {
        // The tutorial's text has no place for it.
        progress.log(`${row.file}: ${metadataSummary({ description: row.description, metadata: row.metadata })}`);
      }
      if (warning) progress.log(warning);
      progress.tick();
    };
    // Each photo's row goes out once its description is in the photo, so a row (and --resume) means it is written.
    const writingMetadata: Promise<void>[] = [];
    const started = performance.now();
    try {
      await pool.caption(
        todo.map((file) => file.path),
        (index, row, warning) => {
          if (!metadata || !('captions' in row) || !row.captions[0]) return done(index, row, warning);
          writingMetadata.push(
            metadata.apply(row.file, toAltText(row.captions[0].text, row.language), pool.model.modelName, row.language).then(
              (result) => done(index, { ...row, ...result }, warning),
              // The captions stay in the row: only the writing failed.
              (error: unknown) => done(index, { ...row, metadata: { status: 'not-written', reason: errorText(error) } }, warning, true),
            ),
          );
        },
      );
      await Promise.all(writingMetadata);
    } finally {
      progress.stop();
      await Promise.all([pool.close(), metadata?.end()]);
    }
    const seconds = (performance.now() - started) / 1000;
    say(`captioned ${todo.length} photos in ${seconds.toFixed(1)} s (${(todo.length / seconds).toFixed(2)} photos/s)${failed > 0 ? `, ${failed} failed` : ''}`);
  }
  writer.finish();
  const failedBefore = written?.failed ?? 0;
  if (failedBefore > 0) say(`${out} also has ${failedBefore} failed rows from earlier runs`);
  return failed + failedBefore > 0 ? 1 : 0;
}

if (isEntryPoint(import.meta.filename)) runCommand(main, USAGE);
