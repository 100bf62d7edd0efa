/**
 * `npm run caption -- --write-metadata`: the caption goes into the photo's own fields, pixels stay
 * bit-identical, a person's description is never replaced without --overwrite, and a kill -9 leaves
 * every photo either as it was or fully written. Photos are made here; captions come from the fixture model.
 */
import { execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { chmod, link, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import encodeWebp, { init as initWebpEncoder } from '@jsquash/webp/encode';
import { ExifTool } from 'exiftool-vendored';
import exifr from 'exifr';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/caption';
import { UsageError } from '../../src/cli/shared';
import { decodePhoto } from '../../src/node/decode-photo';
import { generateFixture, REPO_ROOT, useFixtureFolders } from './helpers/fixture';
import { bmp24, texturedJpeg } from './helpers/images';

const require = createRequire(import.meta.url);
const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'src/cli/caption.ts');
const ARGS = ['--import', 'tsx', CLI];
const BRIGHT = 'A white square.';
const DARK = 'A black square.';
const ALL_FIELDS = ['XMP dc:description', 'EXIF ImageDescription', 'IPTC Caption-Abstract'];

interface Row {
  file: string;
  captions?: { text: string }[];
  error?: string;
  description?: string;
  metadata?: { status: string; text?: string; fields?: string[]; reason?: string; sameFileAs?: string };
}

/** Where the runs keep their write journals ($XDG_STATE_HOME), a folder of the test's own. */
let stateHome: string;
const journalRoot = () => path.join(stateHome, 'show-and-tell-browser', 'write-metadata', os.hostname());
const runOptions = () => ({ cwd: REPO_ROOT, env: { ...process.env, XDG_STATE_HOME: stateHome } });

async function caption(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [...ARGS, ...args], runOptions()).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

const rowsOf = (stdout: string) => new Map(stdout.split('\n').filter(Boolean).map((line) => [path.basename((JSON.parse(line) as Row).file), JSON.parse(line) as Row]));

function png(size: number, level: number): Buffer {
  const image = new PNG({ width: size, height: size });
  image.data.fill(level);
  return PNG.sync.write(image);
}

/** A JPEG's image data: from its start of scan to the end, which a metadata write must leave byte for byte. */
function scanData(bytes: Buffer): Buffer {
  for (let at = 2; at < bytes.length; ) {
    const marker = bytes[at + 1];
    if (marker === 0xda) return bytes.subarray(at);
    at += 2 + bytes.readUInt16BE(at + 2);
  }
  throw new Error('no start of scan');
}

const pixels = (bytes: Buffer) => Buffer.from(jpeg.decode(bytes, { useTArray: true }).data);

/** The three fields as photo managers read them (exifr, not the ExifTool that wrote them); IPTC holds UTF-8. */
async function fieldsOf(file: string) {
  const tags = (await exifr.parse(file, { tiff: true, iptc: true, xmp: true, exif: false, gps: false, mergeOutput: false })) as {
    ifd0?: { ImageDescription?: string };
    iptc?: { Caption?: string };
    dc?: { description?: { value: string; lang?: string } | { value: string; lang: string }[] | string };
  } | undefined;
  // Several languages (x-default and the caption's own) come as a list: the default entry is the one readers show.
  const description = tags?.dc?.description;
  const xmp = Array.isArray(description) ? description.find((entry) => entry.lang === 'x-default') : description;
  return {
    xmp: typeof xmp === 'object' ? xmp.value : xmp,
    exif: tags?.ifd0?.ImageDescription,
    iptc: tags?.iptc?.Caption === undefined ? undefined : Buffer.from(tags.iptc.Caption, 'latin1').toString('utf8'),
  };
}

describe('npm run caption -- --write-metadata', () => {
  const fixture = useFixtureFolders('metadata');
  let exiftool: ExifTool;
  beforeAll(async () => {
    stateHome = await mkdtemp(path.join(path.dirname(fixture.modelDir), 'state-'));
    exiftool = new ExifTool({ maxProcs: 1 });
  });
  afterAll(async () => {
    await exiftool.end();
    await rm(stateHome, { recursive: true, force: true });
  });

  async function library(name: string, files: Record<string, Uint8Array>): Promise<string> {
    const folder = path.join(fixture.dir, name);
    await mkdir(folder, { recursive: true });
    for (const [file, bytes] of Object.entries(files)) await writeFile(path.join(folder, file), bytes);
    return folder;
  }

  it('writes all three fields into a JPEG and XMP into PNG and WebP, pixels bit-identical; BMP gets a clear row', async () => {
    await initWebpEncoder(await WebAssembly.compile(await readFile(require.resolve('@jsquash/webp/codec/enc/webp_enc.wasm'))));
    const webp = Buffer.from(await encodeWebp({ width: 16, height: 16, data: new Uint8ClampedArray(16 * 16 * 4).fill(235), colorSpace: 'srgb' }, { quality: 90 }));
    const originals = { 'bright.jpg': texturedJpeg(48, true, 3), 'dark.jpg': texturedJpeg(40, false, 5), 'bright.png': png(16, 230), 'bright.webp': webp, 'snow.bmp': bmp24(8, 8, () => [250, 250, 250]) };
    const folder = await library('formats', originals);
    const result = await caption(['--model', fixture.modelDir, '--format', 'jsonl', '--jobs', '2', '--write-metadata', folder]);
    expect(result.code, result.stderr).toBe(0);
    const rows = rowsOf(result.stdout);

    for (const [name, text] of [['bright.jpg', BRIGHT], ['dark.jpg', DARK]] as const) {
      expect(rows.get(name)?.metadata).toEqual({ status: 'written', text, language: 'en', fields: ALL_FIELDS });
      expect(rows.get(name)).not.toHaveProperty('description');
      const written = await readFile(path.join(folder, name));
      expect(await fieldsOf(path.join(folder, name))).toEqual({ xmp: text, exif: text, iptc: text });
      expect(scanData(written).equals(scanData(originals[name]))).toBe(true);
      expect(pixels(written).equals(pixels(originals[name]))).toBe(true);
    }
    const tags = (await exiftool.readRaw(path.join(folder, 'bright.jpg'), { readArgs: ['-G1', '-IPTC:all', '-XMP-photoshop:all'] })) as Record<string, unknown>;
    expect(tags['IPTC:CodedCharacterSet']).toBe('UTF8');
    expect(tags['XMP-photoshop:CaptionWriter']).toMatch(/^show-and-tell-browser \(machine-written, model: .+\)$/);

    for (const name of ['bright.png', 'bright.webp']) {
      expect(rows.get(name)?.metadata).toEqual({ status: 'written', text: BRIGHT, language: 'en', fields: ['XMP dc:description'] });
      // exifr reads no WebP: ExifTool checks both.
      expect(((await exiftool.readRaw(path.join(folder, name), { readArgs: ['-XMP-dc:Description'] })) as Record<string, unknown>).Description).toBe(BRIGHT);
      const before = await decodePhoto(originals[name as 'bright.png']);
      const after = await decodePhoto(await readFile(path.join(folder, name)));
      expect(Buffer.from(after.data).equals(Buffer.from(before.data))).toBe(true);
    }
    expect(rows.get('snow.bmp')?.metadata).toEqual({ status: 'not-written', reason: expect.stringContaining('BMP files have no XMP, EXIF or IPTC fields') });
    expect((await readFile(path.join(folder, 'snow.bmp'))).equals(Buffer.from(originals['snow.bmp']))).toBe(true);
    // No backup or temporary file is left beside the photos.
    expect((await readdir(folder)).sort()).toEqual(Object.keys(originals).sort());

    // A second run finds its own text there and leaves the photos alone.
    const again = rowsOf((await caption(['--model', fixture.modelDir, '--format', 'jsonl', '--write-metadata', path.join(folder, 'bright.jpg')])).stdout);
    expect(again.get('bright.jpg')?.metadata).toEqual({ status: 'unchanged', text: BRIGHT });
  }, 120_000);

  it("keeps a person's description in any one of the three fields unless --overwrite; --dry-run writes nothing", async () => {
    const text = 'Grandma’s kitchen, 1972 — the blue teapot';
    const folder = await library('described', {
      'xmp.jpg': texturedJpeg(32, true, 1),
      'exif.jpg': texturedJpeg(32, true, 2),
      'iptc.jpg': texturedJpeg(32, true, 3),
      'camera.jpg': texturedJpeg(32, true, 4),
      'plain.jpg': texturedJpeg(32, true, 6),
    });
    const set = async (name: string, tags: Record<string, string>) => exiftool.write(path.join(folder, name), tags, { writeArgs: ['-overwrite_original'] });
    await set('xmp.jpg', { 'XMP-dc:Description': text });
    await set('exif.jpg', { 'EXIF:ImageDescription': text });
    await set('iptc.jpg', { 'IPTC:Caption-Abstract': text, 'IPTC:CodedCharacterSet': 'UTF8' });
    await set('camera.jpg', { 'EXIF:ImageDescription': 'OLYMPUS DIGITAL CAMERA         ' });
    // Other IPTC text in Latin-1 (no character set declared) must survive the switch to UTF-8.
    await exiftool.write(path.join(folder, 'plain.jpg'), { 'IPTC:City': 'Zürich' } as Record<string, string>, { writeArgs: ['-overwrite_original', '-charset', 'iptc=Latin'] });
    const described = ['xmp.jpg', 'exif.jpg', 'iptc.jpg'];
    const snapshot = async () => Object.fromEntries(await Promise.all((await readdir(folder)).map(async (name) => [name, await readFile(path.join(folder, name))] as const)));
    const before = await snapshot();

    const dryRun = await caption(['--model', fixture.modelDir, '--format', 'jsonl', '--write-metadata', '--dry-run', folder]);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    const planned = rowsOf(dryRun.stdout);
    for (const name of described) {
      expect(planned.get(name)).toMatchObject({ description: text, metadata: { status: 'kept', reason: '--overwrite replaces it' } });
      expect(planned.get(name)?.captions?.[0].text).toBe('a white square .');
    }
    for (const name of ['camera.jpg', 'plain.jpg']) expect(planned.get(name)?.metadata).toEqual({ status: 'would-write', text: BRIGHT, language: 'en', fields: ALL_FIELDS });
    expect(await snapshot()).toEqual(before);

    const kept = rowsOf((await caption(['--model', fixture.modelDir, '--format', 'jsonl', '--write-metadata', folder])).stdout);
    for (const name of described) {
      expect(kept.get(name)).toMatchObject({ description: text, metadata: { status: 'kept' } });
      expect((await readFile(path.join(folder, name))).equals(before[name])).toBe(true);
    }
    // Camera filler is not a person's description.
    expect(kept.get('camera.jpg')?.metadata?.status).toBe('written');
    expect(await fieldsOf(path.join(folder, 'camera.jpg'))).toEqual({ xmp: BRIGHT, exif: BRIGHT, iptc: BRIGHT });
    expect(await fieldsOf(path.join(folder, 'plain.jpg'))).toEqual({ xmp: BRIGHT, exif: BRIGHT, iptc: BRIGHT });
    expect(((await exiftool.readRaw(path.join(folder, 'plain.jpg'), { readArgs: ['-IPTC:City'] })) as Record<string, unknown>).City).toBe('Zürich');

    const prefix = 'Machine-written: ';
    const overwritten = rowsOf((await caption(['--model', fixture.modelDir, '--format', 'jsonl', '--write-metadata', '--overwrite', '--description-prefix', prefix, ...described.map((name) => path.join(folder, name))])).stdout);
    for (const name of described) {
      expect(overwritten.get(name)).toMatchObject({ description: text, metadata: { status: 'written', text: `${prefix}${BRIGHT}` } });
      expect(await fieldsOf(path.join(folder, name))).toEqual({ xmp: `${prefix}${BRIGHT}`, exif: `${prefix}${BRIGHT}`, iptc: `${prefix}${BRIGHT}` });
      expect(scanData(await readFile(path.join(folder, name))).equals(scanData(before[name]))).toBe(true);
    }
  }, 120_000);

  it('text format: the tutorial text on stdout, what was written on stderr; csv: description and metadata columns', async () => {
    const folder = await library('text', { 'dark.jpg': texturedJpeg(24, false, 7) });
    const text = await caption(['--model', fixture.modelDir, '--write-metadata', '--dry-run', folder]);
    expect(text.stdout).toMatch(/^Captions for image dark\.jpg:\n {2}0\) a black square \. \(p=0\.\d{6}\)\n/);
    expect(text.stderr).toContain(`dark.jpg: would write "${DARK}" (en) to ${ALL_FIELDS.join(', ')}`);
    const out = path.join(fixture.dir, 'text.csv');
    await caption(['--model', fixture.modelDir, '--format', 'csv', '--out', out, '--write-metadata', folder]);
    const [header, row] = (await readFile(out, 'utf8')).trim().split('\n');
    expect(header).toBe('file,caption,language,p,objects,error,description,metadata');
    expect(row).toContain(`wrote ""${DARK}"" (en) to ${ALL_FIELDS.join(', ')}`);
  }, 120_000);

  /** XMP dc:description by language, EXIF and IPTC, and the caption writer, as ExifTool reads them. */
  async function descriptionsOf(file: string) {
    const tags = (await exiftool.readRaw(file, { readArgs: ['-XMP-dc:Description', '-XMP-dc:Description-*', '-EXIF:ImageDescription', '-IPTC:Caption-Abstract', '-XMP-photoshop:CaptionWriter'] })) as Record<string, unknown>;
    const { SourceFile, errors, warnings, ...fields } = tags;
    return fields;
  }

  const IN_2020 = new Date('2020-05-01T12:00:00Z');
  const GERMAN = 'Ein weißes Quadrat im Schnee';

  it('keeps what it does not own: a symbolic link stays a link (its target described), hard links one file, a read-only photo untouched, a German description, owner, mode and dates', async () => {
    const folder = await library('kept', {
      'target.jpg': texturedJpeg(32, true, 1),
      'hard-a.jpg': texturedJpeg(32, true, 2),
      'readonly.jpg': texturedJpeg(32, true, 3),
      'german.jpg': texturedJpeg(32, true, 4),
      'plain.jpg': texturedJpeg(32, true, 5),
    });
    const at = (name: string) => path.join(folder, name);
    await exiftool.write(at('german.jpg'), { 'XMP-dc:Description-de': GERMAN } as Record<string, string>, { writeArgs: ['-overwrite_original'] });
    await symlink('target.jpg', at('link.jpg'));
    await link(at('hard-a.jpg'), at('hard-b.jpg'));
    await chmod(at('readonly.jpg'), 0o444);
    await chmod(at('plain.jpg'), 0o640);
    const files = ['german.jpg', 'hard-a.jpg', 'hard-b.jpg', 'plain.jpg', 'readonly.jpg', 'target.jpg'];
    for (const name of files) await utimes(at(name), IN_2020, IN_2020);
    const before = Object.fromEntries(await Promise.all(files.map(async (name) => [name, { bytes: await readFile(at(name)), info: await stat(at(name)) }] as const)));

    const result = await caption(['--model', fixture.modelDir, '--format', 'jsonl', '--jobs', '2', '--write-metadata', folder]);
    // The read-only photo was not written as asked.
    expect(result.code, result.stderr).toBe(1);
    const rows = rowsOf(result.stdout);

    // The link is still the same link, and the photo it points to is described, written once.
    expect((await lstat(at('link.jpg'))).isSymbolicLink()).toBe(true);
    expect(await readlink(at('link.jpg'))).toBe('target.jpg');
    expect(await descriptionsOf(at('target.jpg'))).toMatchObject({ Description: BRIGHT, ImageDescription: BRIGHT, 'Caption-Abstract': BRIGHT });
    /** Two names of one file: one row says it was written, the other that it is the same file. */
    const writtenOnce = (names: string[]) => {
      const cells = names.map((name) => rows.get(name)?.metadata);
      expect(cells.map((cell) => cell?.status)).toEqual(['written', 'written']);
      expect(cells.filter((cell) => cell?.sameFileAs === undefined)).toHaveLength(1);
    };
    writtenOnce(['link.jpg', 'target.jpg']);

    // The hard links are one file still, described once.
    const [hardA, hardB] = await Promise.all([stat(at('hard-a.jpg')), stat(at('hard-b.jpg'))]);
    expect(hardA.ino).toBe(hardB.ino);
    expect(hardA.nlink).toBe(2);
    expect(await descriptionsOf(at('hard-b.jpg'))).toMatchObject({ Description: BRIGHT });
    writtenOnce(['hard-a.jpg', 'hard-b.jpg']);

    // The read-only photo: byte for byte as it was; its row keeps its captions and says why.
    expect((await readFile(at('readonly.jpg'))).equals(before['readonly.jpg'].bytes)).toBe(true);
    expect(rows.get('readonly.jpg')?.captions?.[0].text).toBe('a white square .');
    expect(rows.get('readonly.jpg')?.metadata).toEqual({ status: 'not-written', reason: expect.stringContaining('read-only (mode 444)') });
    expect(result.stderr).toContain('readonly.jpg: description not written: the photo is read-only');

    // A description only in German is a person's: kept, and shown.
    expect(rows.get('german.jpg')).toMatchObject({ description: GERMAN, metadata: { status: 'kept' } });
    expect((await readFile(at('german.jpg'))).equals(before['german.jpg'].bytes)).toBe(true);

    // Every file keeps its inode, owner, group, mode and modification time (reading it for its caption sets its access time).
    for (const name of files) {
      const info = await stat(at(name));
      const { info: old } = before[name];
      expect([info.ino, info.uid, info.gid, info.mode, info.mtimeMs], name).toEqual([old.ino, old.uid, old.gid, old.mode, old.mtimeMs]);
    }
    expect((await readdir(folder)).sort()).toEqual([...files, 'link.jpg'].sort());
    expect(await readdir(journalRoot())).toEqual([]);

    // --overwrite replaces the default language only; the German entry stays.
    const overwritten = rowsOf((await caption(['--model', fixture.modelDir, '--format', 'jsonl', '--write-metadata', '--overwrite', at('german.jpg')])).stdout);
    expect(overwritten.get('german.jpg')).toMatchObject({ description: GERMAN, metadata: { status: 'written', text: BRIGHT } });
    expect(await descriptionsOf(at('german.jpg'))).toMatchObject({ Description: BRIGHT, 'Description-de': GERMAN, ImageDescription: BRIGHT });
    // Which is still a person's description: a run without --overwrite keeps it as it is.
    const again = rowsOf((await caption(['--model', fixture.modelDir, '--format', 'jsonl', '--write-metadata', at('german.jpg')])).stdout);
    expect(again.get('german.jpg')).toMatchObject({ description: GERMAN, metadata: { status: 'unchanged', text: BRIGHT } });
  }, 120_000);

  it('a German caption goes under x-default and "de" (its row says de); the English one this tool wrote before goes, a person\'s French entry stays', async () => {
    const germanModel = (await generateFixture({ german: true })).dir;
    try {
      const folder = await library('languages', { 'snow.jpg': texturedJpeg(32, true, 6) });
      const photo = path.join(folder, 'snow.jpg');
      const FRENCH = 'Un carré blanc';
      await exiftool.write(photo, { 'XMP-dc:Description-fr': FRENCH } as Record<string, string>, { writeArgs: ['-overwrite_original'] });
      // The French entry is a person's description: --overwrite is what lets a caption in.
      const english = rowsOf((await caption(['--model', fixture.modelDir, '--format', 'jsonl', '--write-metadata', '--overwrite', photo])).stdout);
      expect(english.get('snow.jpg')).toMatchObject({ language: 'en', metadata: { status: 'written', text: BRIGHT, language: 'en' } });
      expect(await descriptionsOf(photo)).toMatchObject({ Description: BRIGHT, 'Description-en': BRIGHT, 'Description-fr': FRENCH });

      const result = await caption(['--model', germanModel, '--language', 'de', '--format', 'jsonl', '--write-metadata', '--overwrite', photo]);
      expect(result.code, result.stderr).toBe(0);
      const GERMAN_CAPTION = 'Ein weißes Quadrat.';
      expect(rowsOf(result.stdout).get('snow.jpg')).toMatchObject({ language: 'de', description: FRENCH, metadata: { status: 'written', text: GERMAN_CAPTION, language: 'de', fields: ALL_FIELDS } });
      const fields = await descriptionsOf(photo);
      expect(fields).toMatchObject({ Description: GERMAN_CAPTION, 'Description-de': GERMAN_CAPTION, 'Description-fr': FRENCH, ImageDescription: GERMAN_CAPTION });
      expect(fields).not.toHaveProperty('Description-en');
      // Run again: nothing to change.
      const again = rowsOf((await caption(['--model', germanModel, '--format', 'jsonl', '--write-metadata', '--overwrite', photo])).stdout);
      expect(again.get('snow.jpg')?.metadata).toEqual({ status: 'unchanged', text: GERMAN_CAPTION });
    } finally {
      await rm(germanModel, { recursive: true, force: true });
    }
  }, 120_000);

  it('writes a file whose name lies about its format as what it is', async () => {
    const folder = await library('named', { 'jpeg.HEIC': texturedJpeg(24, false, 1), 'jpeg.png': texturedJpeg(24, false, 2) });
    const named = ['jpeg.HEIC', 'jpeg.png'].map((name) => path.join(folder, name));
    const result = await caption(['--model', fixture.modelDir, '--format', 'jsonl', '--write-metadata', ...named]);
    expect(result.code, result.stderr).toBe(0);
    const rows = rowsOf(result.stdout);
    for (const file of named) {
      expect(rows.get(path.basename(file))?.metadata).toEqual({ status: 'written', text: DARK, language: 'en', fields: ALL_FIELDS });
      expect(await fieldsOf(file)).toEqual({ xmp: DARK, exif: DARK, iptc: DARK });
    }
  }, 120_000);

  it('kill -9 in the middle of writing 100 photos: each is as it was or fully written (links and dates too), and the next run finishes the rest', async () => {
    const count = 100;
    const names = Array.from({ length: count }, (_, i) => `${String(i).padStart(3, '0')}.jpg`);
    const originals = Object.fromEntries(names.map((name, i) => [name, texturedJpeg(24, i % 2 === 0, i + 1)]));
    const folder = await library('killed', originals);
    const at = (name: string) => path.join(folder, name);
    // Every tenth photo is reached through a link too.
    const links = names.filter((_, i) => i % 10 === 0).map((name) => [`link-${name}`, name] as const);
    for (const [linkName, name] of links) await symlink(name, at(linkName));
    for (const name of names) await utimes(at(name), IN_2020, IN_2020);
    const textOf = (name: string) => (Number(name.slice(0, 3)) % 2 === 0 ? BRIGHT : DARK);

    /** Checks every photo is as it was or fully written (dates too); returns how many were written. */
    const check = async (pending: ReadonlySet<string>) => {
      let written = 0;
      for (const name of names) {
        if (pending.has(at(name))) continue;
        const bytes = await readFile(at(name));
        expect((await stat(at(name))).mtime, name).toEqual(IN_2020);
        expect(pixels(bytes).equals(pixels(originals[name])), name).toBe(true);
        if (bytes.equals(originals[name])) continue;
        expect(await fieldsOf(at(name)), name).toEqual({ xmp: textOf(name), exif: textOf(name), iptc: textOf(name) });
        written++;
      }
      for (const [linkName, name] of links) expect(await readlink(at(linkName))).toBe(name);
      return written;
    };

    const out = path.join(fixture.dir, 'killed.jsonl');
    const args = ['--model', fixture.modelDir, '--format', 'jsonl', '--out', out, '--resume', '--jobs', '2', '--write-metadata', folder];
    const child = spawn(process.execPath, [...ARGS, ...args], { ...runOptions(), stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Killed once 20 rows are out (each row is written after its photo).
    for (let rows = 0; rows < 20 && child.exitCode === null; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      rows = (await readFile(out, 'utf8').catch(() => '')).split('\n').length - 1;
    }
    child.kill('SIGKILL');
    await exited;

    // A photo the kill caught inside its copy is listed in the journal, for the next run.
    const journals = await readdir(journalRoot());
    const entries = await Promise.all(
      journals.flatMap(async (journal) => {
        const files = (await readdir(path.join(journalRoot(), journal))).filter((file) => file.endsWith('.json'));
        return Promise.all(files.map(async (file) => (JSON.parse(await readFile(path.join(journalRoot(), journal, file), 'utf8')) as { target: string }).target));
      }),
    );
    const pending = new Set(entries.flat());
    // A row goes out only once its photo is written, so no photo with a row can wait in the journal.
    const waiting = new Set([...pending].map((file) => path.basename(file)));
    for (const row of rowsOf(await readFile(out, 'utf8')).keys()) expect(waiting.has(row), row).toBe(false);
    const writtenBeforeKill = await check(pending);
    expect(writtenBeforeKill).toBeGreaterThanOrEqual(10);
    expect(writtenBeforeKill).toBeLessThan(count);

    // The next run finishes what the journal lists, then writes the rest.
    const next = await caption(args);
    expect(next.code, next.stderr).toBe(0);
    expect(await check(new Set())).toBe(count);
    expect(await readdir(journalRoot())).toEqual([]);
  }, 180_000);

  it('refuses the metadata options without --write-metadata, before any work', async () => {
    for (const option of [['--overwrite'], ['--dry-run'], ['--description-prefix', 'x'], ['--update-mtime']]) {
      const error = await main(['--model', fixture.modelDir, ...option, fixture.dir]).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toBe(`${option[0]} needs --write-metadata`);
    }
    const both = await main(['--model', fixture.modelDir, '--write-metadata', '--dry-run', '--xmp', fixture.dir]).catch((thrown: unknown) => thrown);
    expect((both as Error).message).toContain('--dry-run writes nothing');
  });
});
