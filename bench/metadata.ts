/**
 * `npm run bench:metadata [-- --photos N]`: issue 27's targets for `npm run caption -- --write-metadata`
 * on N (default 100) JPEGs (the first N of ../shared/data/photos, else the three @stdlib photos copied
 * N times, labelled as such), with the default model of public/models:
 * - time: the captioning time the command reports, with --write-metadata and without (captioning
 *   alone), twice each in the order alone, with, with, alone, each on a fresh copy of the photos;
 *   target ≤ 1.1×; and the CPU time of the command and its exiftool processes, which the other work
 *   on a shared machine does not change;
 * - every photo written: XMP dc:description, EXIF ImageDescription and IPTC Caption-Abstract hold its
 *   row's caption as a sentence, the image data (start of scan to end) is byte for byte the original's
 *   and it decodes to the same pixels;
 * - kill -9 after a third of the photos are written: every photo still decodes to its pixels and is
 *   either unchanged or holds all three fields.
 * Prints a table and the JSON report; writes .cache/bench/metadata.json.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ExifTool } from 'exiftool-vendored';
import jpeg from 'jpeg-js';
import { toAltText } from '../src/captioner/format';
import { benchPhotos } from './photo-set';

const { values } = parseArgs({ options: { photos: { type: 'string', default: '100' } } });
const PHOTO_COUNT = Number(values.photos);
const CLI = path.resolve('src/cli/caption.ts');
const TARGET_RATIO = 1.1;


/** A fresh folder holding the photos as 000.jpg, 001.jpg, … */
async function copyPhotos(parent: string, name: string, files: string[]): Promise<string> {
  const folder = path.join(parent, name);
  await mkdir(folder);
  await Promise.all(files.map((file, i) => copyFile(file, path.join(folder, `${String(i).padStart(3, '0')}.jpg`))));
  return folder;
}

interface Run {
  captionSeconds: number;
  wallSeconds: number;
  /** User + system CPU time of the command and its child processes (exiftool): what it costs however busy the machine is. */
  cpuSeconds: number;
  rows: { file: string; captions?: { text: string }[]; metadata?: { status: string } }[];
}

/** Runs the command; the captioning time is the one it reports ("captioned N photos in X s"), which leaves out loading the model. */
function caption(args: string[], onRow?: (rows: number) => void): { done: Promise<Run>; kill: () => void } {
  const started = performance.now();
  // bash's `times` gives the CPU time of the command and of the processes it waited for (exiftool's too).
  const command = ['--import', 'tsx', CLI, '--format', 'jsonl', ...args];
  const child = spawn('bash', ['-c', '"$@"; code=$?; times >&2; exit $code', 'bash', process.execPath, ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    onRow?.(stdout.split('\n').length - 1);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let killed = false;
  const done = new Promise<Run>((resolve, reject) => {
    child.on('exit', (code) => {
      const reported = /captioned \d+ photos in ([\d.]+) s/.exec(stderr);
      if (!killed && (code !== 0 || !reported)) return reject(new Error(`caption exited ${code}: ${stderr}`));
      const rows = stdout.split('\n').filter((line) => line.endsWith('}')).map((line) => JSON.parse(line) as Run['rows'][number]);
      // The last line of `times`: the children's user and system time, as "1m2.345s 0m0.678s".
      const [user, system] = [...stderr.trim().split('\n').at(-1)!.matchAll(/(\d+)m([\d.]+)s/g)].map(([, minutes, seconds]) => Number(minutes) * 60 + Number(seconds));
      resolve({ captionSeconds: Number(reported?.[1] ?? NaN), wallSeconds: (performance.now() - started) / 1000, cpuSeconds: user + system, rows });
    });
  });
  // kill -9 the command itself (bash's child), as a crash would.
  const kill = () => {
    if (killed) return;
    killed = true;
    spawn('pkill', ['-KILL', '-P', String(child.pid)]);
  };
  return { done, kill };
}

function scanData(bytes: Buffer): Buffer {
  for (let at = 2; at < bytes.length; at += 2 + bytes.readUInt16BE(at + 2)) if (bytes[at + 1] === 0xda) return bytes.subarray(at);
  throw new Error('no start of scan');
}

const pixels = (bytes: Buffer) => Buffer.from(jpeg.decode(bytes, { useTArray: true, maxMemoryUsageInMB: 2048 }).data);

/** Whether `file` is `original` with its description written: the same image data and pixels, and `text` in all three fields. */
async function check(exiftool: ExifTool, file: string, original: Buffer, text: string | null) {
  const bytes = await readFile(file);
  const samePixels = scanData(bytes).equals(scanData(original)) && pixels(bytes).equals(pixels(original));
  if (text === null) return { samePixels, unchanged: bytes.equals(original), allFields: false };
  const tags = (await exiftool.readRaw(file, { readArgs: ['-XMP-dc:Description', '-EXIF:ImageDescription', '-IPTC:Caption-Abstract'] })) as Record<string, unknown>;
  const allFields = [tags.Description, tags.ImageDescription, tags['Caption-Abstract']].every((value) => value === text);
  return { samePixels, unchanged: bytes.equals(original), allFields };
}

async function main(): Promise<void> {
  const { files, source } = await benchPhotos(PHOTO_COUNT);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'bench-metadata-'));
  const exiftool = new ExifTool({ maxProcs: 1 });
  try {
    const loadBefore = os.loadavg()[0];
    // Alone, with, with, alone (each on a fresh copy): on a machine whose load drifts, the pairs' sums cancel a steady drift.
    // --overwrite: the @stdlib photos carry their museum's descriptions, which would otherwise be kept.
    const runs: Run[] = [];
    for (const [index, write] of [false, true, true, false].entries()) {
      const folder = await copyPhotos(scratch, `run-${index}`, files);
      runs.push(await caption([...(write ? ['--write-metadata', '--overwrite'] : []), folder]).done);
    }
    const loadAfter = os.loadavg()[0];
    const sum = (pair: Run[], key: 'captionSeconds' | 'wallSeconds' | 'cpuSeconds') => pair[0][key] + pair[1][key];
    const [alone, writing] = [
      { runs: [runs[0], runs[3]], rows: runs[0].rows },
      { runs: [runs[1], runs[2]], rows: runs[1].rows },
    ].map(({ runs: pair, rows }) => ({ captionSeconds: sum(pair, 'captionSeconds'), wallSeconds: sum(pair, 'wallSeconds'), cpuSeconds: sum(pair, 'cpuSeconds'), rows, each: pair.map((run) => run.captionSeconds) }));

    // Each written photo against its original, with the caption of its row.
    const originals = await Promise.all(files.map((file) => readFile(file)));
    let written = 0;
    let pixelsIdentical = 0;
    for (const row of writing.rows) {
      const index = Number(path.basename(row.file, '.jpg'));
      const result = await check(exiftool, row.file, originals[index], row.captions ? toAltText(row.captions[0].text) : null);
      if (row.metadata?.status === 'written' && result.allFields) written++;
      if (result.samePixels) pixelsIdentical++;
    }

    // kill -9 once a third of the photos are written; then every photo must be whole.
    const killedFolder = await copyPhotos(scratch, 'killed', files);
    const run = caption(['--write-metadata', '--overwrite', killedFolder], (rows) => {
      if (rows >= Math.ceil(files.length / 3)) run.kill();
    });
    const killed = await run.done;
    await new Promise((resolve) => setTimeout(resolve, 2000)); // exiftool finishes the photo in hand when its input closes
    const captionOf = new Map(alone.rows.map((row) => [path.basename(row.file), row.captions ? toAltText(row.captions[0].text) : null]));
    let whole = 0;
    let unchanged = 0;
    let fullyWritten = 0;
    for (const [index, original] of originals.entries()) {
      const name = `${String(index).padStart(3, '0')}.jpg`;
      const result = await check(exiftool, path.join(killedFolder, name), original, captionOf.get(name) ?? null);
      if (result.samePixels && (result.unchanged || result.allFields)) whole++;
      if (result.unchanged) unchanged++;
      else if (result.allFields) fullyWritten++;
    }
    const leftovers = (await readdir(killedFolder)).filter((name) => !name.endsWith('.jpg'));

    const ratio = writing.captionSeconds / alone.captionSeconds;
    const cpuRatio = writing.cpuSeconds / alone.cpuSeconds;
    const report = {
      photos: files.length,
      source,
      cores: os.availableParallelism(),
      loadAverage: { before: loadBefore, after: loadAfter },
      runsInOrder: ['alone', 'with', 'with', 'alone'],
      captionAloneSeconds: alone.captionSeconds,
      withWriteMetadataSeconds: writing.captionSeconds,
      eachRunSeconds: { alone: alone.each, withWriteMetadata: writing.each },
      wallSeconds: { alone: alone.wallSeconds, withWriteMetadata: writing.wallSeconds },
      cpuSeconds: { alone: alone.cpuSeconds, withWriteMetadata: writing.cpuSeconds },
      ratio,
      cpuRatio,
      ratioTarget: TARGET_RATIO,
      allThreeFieldsWritten: written,
      pixelsIdentical,
      kill: { rowsBeforeKill: killed.rows.length, wholePhotos: whole, unchanged, fullyWritten, otherFilesLeft: leftovers },
    };
    console.log(`photos: ${files.length} (${source}); ${report.cores} cores, load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}`);
    console.log(`captioning alone:        ${alone.captionSeconds.toFixed(1)} s  (two runs: ${alone.each.map((seconds) => seconds.toFixed(1)).join(' + ')}, first and last)`);
    console.log(`with --write-metadata:   ${writing.captionSeconds.toFixed(1)} s  (two runs: ${writing.each.map((seconds) => seconds.toFixed(1)).join(' + ')}; ${ratio.toFixed(3)}×, target ≤ ${TARGET_RATIO}×: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'})`);
    console.log(`CPU time (model loading included): ${alone.cpuSeconds.toFixed(1)} s alone, ${writing.cpuSeconds.toFixed(1)} s with --write-metadata (${cpuRatio.toFixed(3)}×)`);
    console.log(`all three fields written: ${written}/${files.length}; image data and pixels identical: ${pixelsIdentical}/${files.length}`);
    console.log(`kill -9 after ${killed.rows.length} rows: ${whole}/${files.length} photos whole (${unchanged} unchanged, ${fullyWritten} fully written), other files left: ${leftovers.length ? leftovers.join(' ') : 'none'}`);
    console.log(JSON.stringify(report, null, 2));
    await mkdir('.cache/bench', { recursive: true });
    await writeFile('.cache/bench/metadata.json', `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await exiftool.end();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
