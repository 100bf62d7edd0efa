import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileTarget, readWrittenRows, RowWriter, type OutputFormat } from '../../src/cli/output';
import { findPhotos, parseShard, shardOf } from '../../src/cli/photo-files';
import { captionedRow, type PhotoRow } from '../../src/cli/rows';
import { captionedPhoto } from '../../src/lib/to-result';
import { writeSidecar, xmpSidecar } from '../../src/cli/xmp';
import { REPO_ROOT } from './helpers/fixture';

const TRICKY = 'a "quoted", comma\'d caption & <tag>';
const OBJECTS = [{ label: 'dog', score: 0.9, box: [10, 20, 30, 40] as [number, number, number, number] }];
const ROWS: PhotoRow[] = [
  { file: 'photos/one, "1".jpg', language: 'en', captions: [{ text: TRICKY, logprob: -0.5, p: Math.exp(-0.5) }] },
  { file: 'photos/broken.png', error: 'not a JPEG, PNG, GIF, WebP or BMP image' },
  {
    file: 'photos/two.jpg',
    language: 'de',
    captions: [{ text: 'ein Hund .', logprob: -1, p: Math.exp(-1) }],
    objects: OBJECTS,
  },
];

let dir: string;
beforeAll(async () => {
  const parent = path.join(REPO_ROOT, '.cache', 'test-fixtures');
  await mkdir(parent, { recursive: true });
  dir = await mkdtemp(path.join(parent, 'caption-output-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function writeRows(file: string, format: OutputFormat, rows: PhotoRow[], order: number[], metadata = false): Promise<string> {
  const writer = new RowWriter(format, fileTarget(file, 'overwrite'), { csvHeader: true, metadata });
  for (const index of order) writer.add(index, rows[index]);
  writer.finish();
  return readFile(file, 'utf8');
}

describe('output rows', () => {
  it('csv quotes captions and file names with commas and quotes, one row per photo under a header', async () => {
    const text = await writeRows(path.join(dir, 'rows.csv'), 'csv', ROWS, [0, 1, 2]);
    const records = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;
    expect(records).toEqual([
      { file: 'photos/one, "1".jpg', caption: TRICKY, language: 'en', p: String(Math.exp(-0.5)), objects: '', error: '' },
      { file: 'photos/broken.png', caption: '', language: '', p: '', objects: '', error: 'not a JPEG, PNG, GIF, WebP or BMP image' },
      { file: 'photos/two.jpg', caption: 'ein Hund .', language: 'de', p: String(Math.exp(-1)), objects: JSON.stringify(OBJECTS), error: '' },
    ]);
    expect(text.split('\n')[1]).toBe('"photos/one, ""1"".jpg","a ""quoted"", comma\'d caption & <tag>",en,0.6065306597126334,,');
  });

  it('jsonl goes out as rows finish; text and json in input order whatever the finishing order', async () => {
    const jsonl = await writeRows(path.join(dir, 'rows.jsonl'), 'jsonl', ROWS, [2, 0, 1]);
    expect(jsonl.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual([ROWS[2], ROWS[0], ROWS[1]]);
    expect(JSON.parse(await writeRows(path.join(dir, 'rows.json'), 'json', ROWS, [2, 0, 1]))).toEqual(ROWS);
    const text = await writeRows(path.join(dir, 'rows.txt'), 'text', ROWS, [2, 1, 0]);
    expect(text).toBe(`Captions for image one, "1".jpg:\n  0) ${TRICKY} (p=0.606531)\nCaptions for image two.jpg:\n  0) ein Hund . (p=0.367879)\n`);
  });

  it('gives detected objects in pixels of the photo as shown, and the API result its sentence forms', () => {
    const result = {
      captions: [{ text: 'a elephant on a field .', words: ['a', 'elephant', 'on', 'a', 'field', '.'], logProb: -1, p: Math.exp(-1) }],
      objects: [{ label: 'cat', score: 0.8, box: [0.25, 0.5, 0.5, 0.25] as [number, number, number, number] }],
    };
    const photo = captionedPhoto(result, 640, 480, 'en');
    expect(photo.captions).toEqual([{ text: 'a elephant on a field .', sentence: 'An elephant on a field.', p: Math.exp(-1), logprob: -1 }]);
    expect(captionedRow('cat.jpg', photo)).toEqual({
      file: 'cat.jpg',
      language: 'en',
      captions: [{ text: 'a elephant on a field .', logprob: -1, p: Math.exp(-1) }],
      objects: [{ label: 'cat', score: 0.8, box: [160, 240, 320, 120] }],
    });
    expect(captionedRow('cat.jpg', captionedPhoto({ ...result, objects: null }, 640, 480, 'en'))).not.toHaveProperty('objects');
    // A German model's row: its language, and the sentence by German rules.
    const german = captionedPhoto({ captions: [{ ...result.captions[0], text: 'ein Hund an der Wand .' }], objects: null }, 640, 480, 'de');
    expect(german).toMatchObject({ language: 'de', captions: [{ sentence: 'Ein Hund an der Wand.' }] });
    expect(captionedRow('hund.jpg', german)).toMatchObject({ file: 'hund.jpg', language: 'de' });
  });
});

describe('--resume reading', () => {
  for (const format of ['jsonl', 'csv'] as const) {
    it(`${format}: finds the photos already written and cuts an unfinished last row off the file`, async () => {
      const file = path.join(dir, `resume.${format}`);
      const complete = await writeRows(file, format, ROWS, [0, 1]);
      // What kill -9 in the middle of a write could leave: the first bytes of the next row.
      const next = await writeRows(path.join(dir, `next.${format}`), format, ROWS, [2]);
      const partial = format === 'csv' ? next.split('\n')[1].slice(0, 25) : next.slice(0, 30);
      await appendFile(file, partial);

      const written = await readWrittenRows(file, format);
      expect([...written.files]).toEqual([path.resolve(ROWS[0].file), path.resolve(ROWS[1].file)]);
      expect(written).toMatchObject({ failed: 1, empty: false, droppedBytes: Buffer.byteLength(partial) });
      expect(await readFile(file, 'utf8')).toBe(complete);
    });
  }

  for (const format of ['jsonl', 'csv'] as const) {
    it(`${format}: --retry-failed takes out the error rows of the photos given, keeping every other row byte for byte`, async () => {
      const file = path.join(dir, `retry.${format}`);
      const rows: PhotoRow[] = [...ROWS, { file: 'photos/gone.png', error: 'not a JPEG, PNG, GIF, WebP or BMP image' }];
      const complete = await writeRows(file, format, rows, [0, 1, 2, 3]);
      const plain = await readWrittenRows(file, format);
      expect(plain).toMatchObject({ failed: 2, retried: 0 });
      expect(await readFile(file, 'utf8')).toBe(complete);

      // photos/gone.png is not among the photos given, so its error row stays.
      const retry = new Set(['photos/one, "1".jpg', 'photos/broken.png', 'photos/two.jpg'].map((name) => path.resolve(name)));
      const written = await readWrittenRows(file, format, { retry });
      expect(written).toMatchObject({ failed: 1, retried: 1 });
      expect([...written.files].sort()).toEqual([ROWS[0].file, ROWS[2].file, 'photos/gone.png'].map((name) => path.resolve(name)).sort());
      expect(await readFile(file, 'utf8')).toBe(await writeRows(path.join(dir, `kept.${format}`), format, rows, [0, 2, 3]));
      expect(await readdir(dir)).not.toContain(expect.stringMatching(/\.tmp$/));
    });
  }

  for (const format of ['jsonl', 'csv'] as const) {
    it(`${format}: a row whose description could not be written counts as failed, and --retry-failed takes it out`, async () => {
      const file = path.join(dir, `not-written.${format}`);
      const captions = [{ text: 'a dog on the grass .', logprob: -1, p: Math.exp(-1) }];
      const rows: PhotoRow[] = [
        { file: 'photos/written.jpg', language: 'en', captions, metadata: { status: 'written', text: 'A dog on the grass.', language: 'en', fields: ['XMP-dc:Description'] } },
        { file: 'photos/locked.jpg', language: 'en', captions, metadata: { status: 'not-written', reason: 'read-only (mode 444)' } },
      ];
      await writeRows(file, format, rows, [0, 1], true);
      expect(await readWrittenRows(file, format, { metadata: true })).toMatchObject({ failed: 1, retried: 0 });
      const written = await readWrittenRows(file, format, { metadata: true, retry: new Set([path.resolve('photos/locked.jpg')]) });
      expect(written).toMatchObject({ failed: 0, retried: 1 });
      expect([...written.files]).toEqual([path.resolve('photos/written.jpg')]);
    });
  }

  it('cuts a csv row whose quoted field (a file name with a newline) was interrupted', async () => {
    const file = path.join(dir, 'newline.csv');
    const complete = await writeRows(file, 'csv', ROWS, [0]);
    await appendFile(file, '"photos/two\nlines');
    const written = await readWrittenRows(file, 'csv');
    expect(written.files.size).toBe(1);
    expect(await readFile(file, 'utf8')).toBe(complete);
  });

  it('treats a missing file as empty and refuses a file it did not write', async () => {
    expect(await readWrittenRows(path.join(dir, 'missing.jsonl'), 'jsonl')).toMatchObject({ empty: true, failed: 0, droppedBytes: 0 });
    await writeFile(path.join(dir, 'other.csv'), 'name,size\na.jpg,3\n');
    await expect(readWrittenRows(path.join(dir, 'other.csv'), 'csv')).rejects.toThrow(/its header is "name,size"/);
    await writeFile(path.join(dir, 'other.jsonl'), '{"file":"a.jpg","captions":[]}\nnot json\n');
    await expect(readWrittenRows(path.join(dir, 'other.jsonl'), 'jsonl')).rejects.toThrow(/line 2 is not JSON/);
  });
});

describe('XMP sidecars', () => {
  it('escape the caption and read back as dc:description / rdf:Alt / x-default', () => {
    const xml = xmpSidecar(TRICKY);
    expect(xml).toContain('a &quot;quoted&quot;, comma&apos;d caption &amp; &lt;tag&gt;');
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml);
    const item = parsed['x:xmpmeta']['rdf:RDF']['rdf:Description']['dc:description']['rdf:Alt']['rdf:li'];
    expect(item).toEqual({ '#text': TRICKY, '@xml:lang': 'x-default' });
    // A caption's language: x-default first, then the same text under its own xml:lang.
    const german = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xmpSidecar('Ein Hund.', undefined, 'de'));
    expect(german['x:xmpmeta']['rdf:RDF']['rdf:Description']['dc:description']['rdf:Alt']['rdf:li']).toEqual([
      { '#text': 'Ein Hund.', '@xml:lang': 'x-default' },
      { '#text': 'Ein Hund.', '@xml:lang': 'de' },
    ]);
    const withWriter = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xmpSidecar('A dog.', 'show-and-tell-browser (machine-written, model: M)'));
    expect(withWriter['x:xmpmeta']['rdf:RDF']['rdf:Description']['photoshop:CaptionWriter']).toBe('show-and-tell-browser (machine-written, model: M)');
  });

  it('replace their own earlier sidecar but leave another program\'s alone', async () => {
    const photo = path.join(dir, 'photo.jpg');
    expect(await writeSidecar(photo, 'First.')).toBe('written');
    expect(await writeSidecar(photo, 'Second.')).toBe('written');
    expect(await readFile(`${photo}.xmp`, 'utf8')).toContain('>Second.<');
    const darktable = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><!-- edit history --></x:xmpmeta>';
    await writeFile(path.join(dir, 'edited.jpg.xmp'), darktable);
    expect(await writeSidecar(path.join(dir, 'edited.jpg'), 'Caption.')).toBe('kept-existing');
    expect(await readFile(path.join(dir, 'edited.jpg.xmp'), 'utf8')).toBe(darktable);
  });
});

describe('finding photos and shards', () => {
  it('walks folders recursively in name order, takes image extensions in any case, skips hidden entries and other files', async () => {
    const library = path.join(dir, 'library');
    for (const folder of ['b/deeper', 'a', '.thumbnails']) await mkdir(path.join(library, folder), { recursive: true });
    const names = ['b/deeper/z.PNG', 'b/y.webp', 'a/x.jpeg', 'a/w.gif', 'v.bmp', 'u.jpg', 'notes.txt', '.thumbnails/t.jpg', 'a/._x.jpeg'];
    for (const name of names) await writeFile(path.join(library, name), '');
    await symlink(path.join(library, 'u.jpg'), path.join(library, 'link.jpg'));
    const extra = path.join(dir, 'single.txt');
    await writeFile(extra, '');

    const { photos: found, skipped } = await findPhotos([library, path.join(library, 'a'), extra]);
    expect(skipped).toEqual([path.join(library, 'notes.txt')]);
    expect(found.map((file) => path.relative(dir, file.path))).toEqual(
      ['a/w.gif', 'a/x.jpeg', 'b/deeper/z.PNG', 'b/y.webp', 'link.jpg', 'u.jpg', 'v.bmp'].map((name) => `library/${name}`).concat('single.txt'),
    );
    expect(found.map((file) => file.shardKey)).toEqual(['a/w.gif', 'a/x.jpeg', 'b/deeper/z.PNG', 'b/y.webp', 'link.jpg', 'u.jpg', 'v.bmp', 'single.txt']);
    await expect(findPhotos([path.join(dir, 'nowhere')])).rejects.toThrow('no such file or folder');
  });

  it('split files into N even shards that cover every file exactly once', () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `album-${i % 17}/IMG_${i}.jpg`);
    const count = 7;
    const shards = Array.from({ length: count }, (_, index) => keys.filter((key) => shardOf(key, count) === index));
    expect(shards.flat().sort()).toEqual([...keys].sort());
    for (const shard of shards) expect(Math.abs(shard.length - keys.length / count)).toBeLessThan(0.15 * (keys.length / count));
    // Pinned: a change of hash would move photos between the shards of runs already under way.
    expect(['IMG_0001.jpg', '2024/summer/beach.jpeg', 'a/b/c.png'].map((key) => shardOf(key, 10))).toEqual([1, 1, 6]);
  });

  it('parse K/N and reject anything else', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    for (const bad of ['5/5', '1', '-1/3', '0/0', 'a/b', '1/2/3']) expect(() => parseShard(bad)).toThrow('--shard must be K/N');
  });
});
