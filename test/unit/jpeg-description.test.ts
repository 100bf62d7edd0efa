/** The page's JPEG description writer, checked with ExifTool: the fields it sets, what it keeps, and image data byte for byte. */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineCaptionWriter } from '../../src/captioner/description';
import { embedJpegDescription } from '../../src/services/jpeg-description';
import { jpegWithAltText } from '../../src/services/export';
import type { PhotoJob } from '../../src/store/jobs';
import { readPhotoDescription, type OwnDescription } from '../../src/services/photo-description';

const data = Buffer.alloc(40 * 30 * 4);
for (let i = 0; i < 40 * 30; i++) data.set([i % 251, (i * 3) % 256, 90, 255], i * 4);
const PLAIN = jpeg.encode({ width: 40, height: 30, data }, 85).data;

/** From the start of scan to the end: what must stay byte for byte. */
function scanData(bytes: Uint8Array): Buffer {
  const buffer = Buffer.from(bytes);
  for (let at = 2; at < buffer.length; at += 2 + buffer.readUInt16BE(at + 2)) if (buffer[at + 1] === 0xda) return buffer.subarray(at);
  throw new Error('no start of scan');
}

// Each test asks ExifTool (a perl process) to read the result back: seconds on a busy machine.
describe('embedJpegDescription (card download)', { timeout: 60_000 }, () => {
  let dir: string;
  let exiftool: ExifTool;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'jpeg-description-'));
    exiftool = new ExifTool({ maxProcs: 1 });
  });
  afterAll(async () => {
    await exiftool.end();
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes `bytes` to a file and reads it back with ExifTool (group:tag names), with its warnings. */
  async function read(name: string, bytes: Uint8Array) {
    const file = path.join(dir, name);
    await writeFile(file, bytes);
    const tags = (await exiftool.readRaw(file, { readArgs: ['-G1', '-a', '-all', '-validate'] })) as Record<string, unknown>;
    return { tags, file };
  }

  it('adds an XMP packet with the description and the machine writer to a JPEG without metadata; image data unchanged', async () => {
    const text = 'A dog is running through the grass — “Zürich” & <friends>.';
    const out = embedJpegDescription(PLAIN, text, machineCaptionWriter('Show and Tell'));
    const { tags } = await read('plain.jpg', out);
    expect(tags['XMP-dc:Description']).toBe(text);
    expect(tags['XMP-photoshop:CaptionWriter']).toBe('show-and-tell-browser (machine-written, model: Show and Tell)');
    expect(tags['IFD0:ImageDescription']).toBeUndefined();
    expect(tags['ExifTool:Validate']).toBe('OK');
    expect(scanData(out).equals(scanData(PLAIN))).toBe(true);
    expect(Buffer.from(jpeg.decode(out).data).equals(Buffer.from(jpeg.decode(PLAIN).data))).toBe(true);
  });

  it("replaces the description in the photo's own XMP, EXIF and IPTC, keeping their other fields", async () => {
    const source = path.join(dir, 'source.jpg');
    await writeFile(source, PLAIN);
    await exiftool.write(
      source,
      {
        'XMP-dc:Description': 'Old words',
        'XMP-xmp:Rating': 4,
        'XMP-photoshop:CaptionWriter': machineCaptionWriter('old model'),
        'EXIF:ImageDescription': 'Old words',
        'EXIF:Artist': 'Ada',
        'IPTC:Caption-Abstract': 'Old words',
        'IPTC:Keywords': 'kitchen',
        'IPTC:CodedCharacterSet': 'UTF8',
      } as Record<string, string | number>,
      { writeArgs: ['-overwrite_original'] },
    );
    const original = await readFile(source);
    const text = 'Grandma’s kitchen, 1972: the blue teapot';
    const out = embedJpegDescription(original, text, null);
    const { tags } = await read('described.jpg', out);
    expect([tags['XMP-dc:Description'], tags['IFD0:ImageDescription'], tags['IPTC:Caption-Abstract']]).toEqual([text, text, text]);
    expect(tags['XMP-xmp:Rating']).toBe(4);
    expect(tags['IFD0:Artist']).toBe('Ada');
    expect(tags['IPTC:Keywords']).toBe('kitchen');
    // A person's words: this tool's earlier machine-writer note goes.
    expect(tags['XMP-photoshop:CaptionWriter']).toBeUndefined();
    expect(tags['ExifTool:Validate']).toBe('OK');
    expect(scanData(out).equals(scanData(original))).toBe(true);

    // A short value fits in the EXIF entry itself.
    expect((await read('short.jpg', embedJpegDescription(original, 'Cat', null))).tags['IFD0:ImageDescription']).toBe('Cat');
  });

  it('puts a German caption under xml:lang="de" and x-default, in a new packet and in the photo\'s own (its French entry kept, its German one replaced)', async () => {
    const text = 'Ein weißes Quadrat an der Wand.';
    const fresh = (await read('german-new.jpg', embedJpegDescription(PLAIN, text, machineCaptionWriter('M'), 'de'))).tags;
    expect([fresh['XMP-dc:Description'], fresh['XMP-dc:Description-de'], fresh['ExifTool:Validate']]).toEqual([text, text, 'OK']);

    const source = path.join(dir, 'languages.jpg');
    await writeFile(source, PLAIN);
    await exiftool.write(source, { 'XMP-dc:Description': 'Old words', 'XMP-dc:Description-fr': 'Un carré', 'XMP-dc:Description-de': 'Alte Worte' } as Record<string, string>, {
      writeArgs: ['-overwrite_original'],
    });
    const { tags } = await read('languages-out.jpg', embedJpegDescription(await readFile(source), text, machineCaptionWriter('M'), 'de'));
    expect([tags['XMP-dc:Description'], tags['XMP-dc:Description-de'], tags['XMP-dc:Description-fr']]).toEqual([text, text, 'Un carré']);
    expect(tags['ExifTool:Validate']).toBe('OK');
  });

  it('drops an IPTC caption it cannot write in the block’s own character set, rather than leave the old one', async () => {
    const source = path.join(dir, 'latin.jpg');
    await copyFile(path.join(dir, 'plain.jpg'), source);
    await exiftool.write(source, { 'IPTC:Caption-Abstract': 'Alte Worte', 'IPTC:City': 'Zürich' } as Record<string, string>, { writeArgs: ['-overwrite_original', '-charset', 'iptc=Latin'] });
    const out = embedJpegDescription(await readFile(source), 'Ein Hund läuft.', null);
    const { tags } = await read('latin-out.jpg', out);
    expect(tags['IPTC:Caption-Abstract']).toBeUndefined();
    expect(tags['IPTC:City']).toBe('Zürich');
    expect(tags['XMP-dc:Description']).toBe('Ein Hund läuft.');
  });

  it('the page reads a description from any one of the three fields (UTF-8 IPTC too), but not camera filler', async () => {
    const text = 'Grandma’s kitchen in Zürich';
    const cases: [Record<string, string>, OwnDescription | null][] = [
      [{ 'XMP-dc:Description': text }, { text, machineWriter: null }],
      [{ 'EXIF:ImageDescription': text }, { text, machineWriter: null }],
      [{ 'IPTC:Caption-Abstract': text, 'IPTC:CodedCharacterSet': 'UTF8' }, { text, machineWriter: null }],
      [{ 'EXIF:ImageDescription': 'OLYMPUS DIGITAL CAMERA' }, null],
      [{}, null],
    ];
    for (const [index, [tags, expected]] of cases.entries()) {
      const file = path.join(dir, `read-${index}.jpg`);
      await writeFile(file, PLAIN);
      if (Object.keys(tags).length > 0) await exiftool.write(file, tags, { writeArgs: ['-overwrite_original'] });
      expect(await readPhotoDescription(new Blob([await readFile(file)])), JSON.stringify(tags)).toEqual(expected);
    }
    expect(await readPhotoDescription(new Blob([embedJpegDescription(PLAIN, text, null)]))).toEqual({ text, machineWriter: null });
    expect(await readPhotoDescription(new Blob(['not a photo']))).toBeNull();
  });

  /** PLAIN with these tags written by ExifTool (with its extra arguments). */
  async function photoWith(name: string, tags: Record<string, string>, writeArgs: string[] = []): Promise<Uint8Array<ArrayBuffer>> {
    const file = path.join(dir, name);
    await writeFile(file, PLAIN);
    await exiftool.write(file, tags, { writeArgs: ['-overwrite_original', ...writeArgs] });
    return new Uint8Array(await readFile(file));
  }

  it('the page counts a dc:description in any language as the photo’s description', async () => {
    const german = await photoWith('german.jpg', { 'XMP-dc:Description-de': 'Ein Hund läuft über die Wiese.' });
    expect(await readPhotoDescription(new Blob([german]))).toEqual({ text: 'Ein Hund läuft über die Wiese.', machineWriter: null });
  });

  it('the page recognises a description this tool wrote (photoshop:CaptionWriter) and tells it from a person’s in another language', async () => {
    const writer = machineCaptionWriter('Show and Tell');
    const machine = await photoWith('machine.jpg', { 'XMP-dc:Description': 'A dog on the grass.', 'XMP-photoshop:CaptionWriter': writer });
    expect(await readPhotoDescription(new Blob([machine]))).toEqual({ text: 'A dog on the grass.', machineWriter: writer });
    const both = await photoWith('both.jpg', { 'XMP-dc:Description': 'A dog on the grass.', 'XMP-dc:Description-de': 'Unser Hund Bello', 'XMP-photoshop:CaptionWriter': writer });
    expect(await readPhotoDescription(new Blob([both]))).toEqual({ text: 'Unser Hund Bello', machineWriter: null });
  });

  it('the page reads an IPTC caption without a character set (1:90) as Latin, as ExifTool does', async () => {
    // Windows-1252 bytes: "–" and "€" are 0x96 and 0x80; "Ã¼" is C3 BC, which would also read as UTF-8 "ü".
    const text = 'Café MÃ¼nchen – 5 €';
    const latin = await photoWith('latin-caption.jpg', { 'IPTC:Caption-Abstract': text }, ['-charset', 'iptc=Latin']);
    expect(((await exiftool.readRaw(path.join(dir, 'latin-caption.jpg'), { readArgs: ['-IPTC:all'] })) as Record<string, unknown>)['Caption-Abstract']).toBe(text);
    expect(await readPhotoDescription(new Blob([latin]))).toEqual({ text, machineWriter: null });
  });

  it('a download replaces only the default-language description and keeps the other languages', async () => {
    const original = await photoWith('languages.jpg', { 'XMP-dc:Description': 'Old words', 'XMP-dc:Description-de': 'Alte Worte', 'XMP-dc:Description-fr': 'Vieux mots' });
    const { tags } = await read('languages-out.jpg', embedJpegDescription(original, 'New words', null));
    expect([tags['XMP-dc:Description'], tags['XMP-dc:Description-de'], tags['XMP-dc:Description-fr']]).toEqual(['New words', 'Alte Worte', 'Vieux mots']);
    expect(tags['ExifTool:Validate']).toBe('OK');
  });

  it('a download of a photo whose own description is machine-written keeps the machine-written mark', async () => {
    const writer = machineCaptionWriter('An older model');
    const photo = await photoWith('marked.jpg', { 'XMP-dc:Description': 'A cat on a sofa.', 'XMP-photoshop:CaptionWriter': writer });
    const own = await readPhotoDescription(new Blob([photo]));
    const job: PhotoJob = {
      id: 'job-1',
      name: 'marked.jpg',
      file: new File([photo], 'marked.jpg', { type: 'image/jpeg' }),
      thumbnail: null,
      settings: null,
      editedCaption: null,
      description: own?.text ?? null,
      descriptionWriter: own?.machineWriter ?? null,
      useModelCaption: false,
      position: 1,
      restored: false,
      run: '',
      finishedAt: null,
      state: { kind: 'done', best: { text: 'a cat sitting on a couch .', p: 0.5 } },
    };
    const downloaded = new Uint8Array(await (await jpegWithAltText(job)).arrayBuffer());
    const { tags } = await read('marked-out.jpg', downloaded);
    expect([tags['XMP-dc:Description'], tags['XMP-photoshop:CaptionWriter']]).toEqual(['A cat on a sofa.', writer]);
    expect(await readPhotoDescription(new Blob([downloaded]))).toEqual({ text: 'A cat on a sofa.', machineWriter: writer });
  });

  it('refuses what is not a JPEG', () => {
    expect(() => embedJpegDescription(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), 'x', null)).toThrow('not a JPEG');
  });
});
