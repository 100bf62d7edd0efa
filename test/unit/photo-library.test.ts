import Papa from 'papaparse';
import { beforeEach, describe, expect, it } from 'vitest';
import { droppedItems, isPhotoPath, photosOfChosenFolder, walkDropped } from '../../src/services/dropped-files';
import { exportRows, toCsv, toJson } from '../../src/services/export';
import { altTextOf, doneState, jobsChange, matchesQuery, useJobsStore, type ResultDetails, type StoredDoneState } from '../../src/store/jobs';
import { estimateTimeLeftMs, formatTimeLeft, queueProgress } from '../../src/store/queue-progress';
import { storageProblem, storeInOrder } from '../../src/services/storage-status';
import { useStorageStore } from '../../src/store/storage-status';
import type { Caption, DetectedObject } from '../../src/worker/protocol';

const caption = (text: string, p: number): Caption => ({ text, words: text.split(' '), logProb: Math.log(p), p });

const details = (objects: DetectedObject[] | null = null): ResultDetails => ({
  captions: [caption('a dog on a couch .', 0.02), caption('a dog on a sofa .', 0.01)],
  objects,
  elapsedMs: 120,
});

const done = (objects: DetectedObject[] | null = null) => doneState(details(objects));
/** A finished result as storage keeps it. */
const stored = (): StoredDoneState => ({ kind: 'done', ...details() });

const store = () => useJobsStore.getState();
const job = (name: string) => store().jobs.find((candidate) => candidate.name === name)!;

beforeEach(() => {
  store().removeJobs(store().jobs.map((candidate) => candidate.id));
});

describe('editing a caption', () => {
  it('uses the edit as alt text, and drops edits that are empty or the model’s own caption', () => {
    store().addFiles([new File(['x'], 'dog.jpg')]);
    store().setJobState(job('dog.jpg').id, done());
    expect(altTextOf(job('dog.jpg'))).toBe('A dog on a couch.');
    store().editCaption(job('dog.jpg').id, '  Rex asleep on the red sofa ');
    expect(job('dog.jpg').editedCaption).toBe('Rex asleep on the red sofa');
    expect(altTextOf(job('dog.jpg'))).toBe('Rex asleep on the red sofa');
    store().editCaption(job('dog.jpg').id, 'A dog on a couch.');
    expect(job('dog.jpg').editedCaption).toBeNull();
    store().editCaption(job('dog.jpg').id, 'Rex');
    store().editCaption(job('dog.jpg').id, '   ');
    expect(job('dog.jpg').editedCaption).toBeNull();
  });

  it('lets go of the photo once it is captioned, keeping the thumbnail', () => {
    store().addFiles([{ file: new File(['x'], 'b.jpg'), name: 'trip/b.jpg' }]);
    const { id } = job('trip/b.jpg');
    store().setThumbnail(id, new Blob(['jpeg'], { type: 'image/jpeg' }));
    expect(job('trip/b.jpg').file).not.toBeNull();
    store().setJobState(id, done());
    expect(job('trip/b.jpg').file).toBeNull();
    expect(job('trip/b.jpg').thumbnail?.type).toBe('image/jpeg');
  });
});

describe('finding a photo', () => {
  it('matches the name or the caption, ignoring case; the edit is what counts once there is one', () => {
    store().addFiles([{ file: new File(['x'], 'IMG_1.jpg'), name: 'Trip/IMG_1.jpg' }, new File(['x'], 'cat.png')]);
    store().setJobState(job('Trip/IMG_1.jpg').id, done());
    const names = (query: string) => store().jobs.filter((candidate) => matchesQuery(candidate, query)).map((found) => found.name);
    expect(names('trip/')).toEqual(['Trip/IMG_1.jpg']);
    expect(names(' COUCH ')).toEqual(['Trip/IMG_1.jpg']);
    store().editCaption(job('Trip/IMG_1.jpg').id, 'Rex asleep');
    expect(names('couch')).toEqual([]);
    expect(names('rex')).toEqual(['Trip/IMG_1.jpg']);
  });
});

describe('jobsChange (what storage and the screen reader announcer follow)', () => {
  it('reports photos captioned in this visit, edits and removals, not restored results (which go first, by position)', () => {
    store().addFiles([new File(['x'], 'a.jpg'), new File(['x'], 'b.jpg')]);
    const before = store().jobs;
    store().setJobState(job('a.jpg').id, done());
    store().restore([{ id: 'old', name: 'old.jpg', position: 0, run: '', thumbnail: null, settings: null, editedCaption: null, state: stored() }]);
    expect(store().jobs.map((restoredFirst) => restoredFirst.name)).toEqual(['old.jpg', 'a.jpg', 'b.jpg']);
    let change = jobsChange(before, store().jobs);
    expect(change.captioned.map((changed) => changed.name)).toEqual(['a.jpg']);
    expect(change.edited).toEqual([]);

    const beforeEdit = store().jobs;
    store().editCaption('old', 'An old photo');
    store().removeJobs([job('b.jpg').id]);
    change = jobsChange(beforeEdit, store().jobs);
    expect(change.captioned).toEqual([]);
    expect(change.edited.map((changed) => changed.name)).toEqual(['old.jpg']);
    expect(change.removedIds).toEqual([beforeEdit.find((candidate) => candidate.name === 'b.jpg')!.id]);
  });
});

describe('export', () => {
  const objects: DetectedObject[] = [
    { label: 'dog', score: 0.912, box: [0.1, 0.2, 0.5, 0.5] },
    { label: 'couch', score: 0.8, box: [0, 0.4, 1, 0.6] },
  ];

  beforeEach(() => {
    store().addFiles([new File(['x'], 'a.jpg'), new File(['x'], 'b.jpg'), new File(['x'], 'c.jpg')]);
    store().setJobState(job('a.jpg').id, done(objects));
    store().setJobState(job('b.jpg').id, { kind: 'failed', message: 'damaged' });
    store().setSettings(job('a.jpg').id, { beamSize: 3, maxLength: 20, lengthNormalizationFactor: 0, grounded: true, modelId: 'm' });
    store().editCaption(job('a.jpg').id, 'Rex, "the good boy", on the sofa');
  });

  /** What storage gives the export: every captioned photo's details. */
  const allDetails = () => new Map(store().jobs.filter((candidate) => candidate.state.kind === 'done').map((candidate) => [candidate.id, details(candidate.name === 'a.jpg' ? objects : null)]));

  it('has one row per captioned photo, with the caption used, p, edited and objects where given', () => {
    const rows = exportRows(store().jobs, allDetails());
    expect(rows).toEqual([
      {
        file: 'a.jpg',
        caption: 'Rex, "the good boy", on the sofa',
        // Kept before there was a language choice (no language in its settings): English.
        language: 'en',
        edited: true,
        description: null,
        p: 0.02,
        modelCaption: 'A dog on a couch.',
        captions: [
          { text: 'a dog on a couch .', p: 0.02 },
          { text: 'a dog on a sofa .', p: 0.01 },
        ],
        objects,
        settings: { beamSize: 3, maxLength: 20, lengthNormalizationFactor: 0, grounded: true, modelId: 'm' },
      },
    ]);
    expect(JSON.parse(toJson(rows))).toEqual(rows);
  });

  it('leaves objects out for models without detections', () => {
    store().setJobState(job('c.jpg').id, done(null));
    expect(exportRows(store().jobs, allDetails())[1]).not.toHaveProperty('objects');
  });

  it('falls back to the best caption for a photo whose details storage has lost', () => {
    expect(exportRows(store().jobs, new Map())[0]).toMatchObject({ p: 0.02, modelCaption: 'A dog on a couch.', captions: [{ text: 'a dog on a couch .', p: 0.02 }] });
    expect(exportRows(store().jobs, new Map())[0]).not.toHaveProperty('objects');
  });

  it('writes CSV that a CSV reader reads back, quoting commas and quotes, escaping formulas', async () => {
    store().setJobState(job('c.jpg').id, done(null));
    store().editCaption(job('c.jpg').id, '=HYPERLINK("http://example.com")');
    const csv = await toCsv(exportRows(store().jobs, allDetails()));
    expect(csv.startsWith('\uFEFFfile,caption,language,p,edited,model_caption,description,objects\r\n')).toBe(true);
    expect(csv).toContain('"Rex, ""the good boy"", on the sofa"');
    expect(Papa.parse(csv.slice(1).trim()).data).toEqual([
      ['file', 'caption', 'language', 'p', 'edited', 'model_caption', 'description', 'objects'],
      ['a.jpg', 'Rex, "the good boy", on the sofa', 'en', '0.02', 'true', 'A dog on a couch.', '', 'dog 0.91; couch 0.80'],
      ['c.jpg', `'=HYPERLINK("http://example.com")`, 'en', '0.02', 'true', 'A dog on a couch.', '', ''],
    ]);
  });

  it('gives each caption the language of the model that wrote it, in the JSON and the CSV', async () => {
    const german: ResultDetails = { captions: [caption('eine Person sitzt an der Wand .', 0.03)], objects: null, elapsedMs: 90 };
    store().setJobState(job('c.jpg').id, doneState(german));
    store().setSettings(job('c.jpg').id, { beamSize: 3, maxLength: 20, lengthNormalizationFactor: 0, grounded: true, modelId: 'de-model', language: 'de' });
    const rows = exportRows(store().jobs, new Map([[job('c.jpg').id, german]]));
    expect(rows.map(({ file, language, caption }) => ({ file, language, caption }))).toEqual([
      { file: 'a.jpg', language: 'en', caption: 'Rex, "the good boy", on the sofa' },
      // The sentence form follows German rules: "an" stays a preposition.
      { file: 'c.jpg', language: 'de', caption: 'Eine Person sitzt an der Wand.' },
    ]);
    expect(JSON.parse(toJson(rows))[1]).toMatchObject({ language: 'de', modelCaption: 'Eine Person sitzt an der Wand.' });
    const records = Papa.parse<string[]>((await toCsv(rows)).slice(1).trim()).data;
    const languageColumn = records[0].indexOf('language');
    expect(records.map((record) => [record[0], record[languageColumn]])).toEqual([
      ['file', 'language'],
      ['a.jpg', 'en'],
      ['c.jpg', 'de'],
    ]);
  });
});

describe('a photo’s own description', () => {
  it('is the alt text until the person picks the model’s caption; an edit wins over both; the export carries both', () => {
    store().addFiles([new File(['x'], 'kitchen.jpg', { type: 'image/jpeg' })]);
    const { id } = job('kitchen.jpg');
    store().setDescription(id, 'Grandma’s kitchen, 1972');
    store().setJobState(id, done());
    expect(altTextOf(job('kitchen.jpg'))).toBe('Grandma’s kitchen, 1972');
    // Kept for the card's download: a JPEG's file (a reference to it on disk).
    expect(job('kitchen.jpg').file).not.toBeNull();
    expect(exportRows(store().jobs, new Map())[0]).toMatchObject({ caption: 'Grandma’s kitchen, 1972', description: 'Grandma’s kitchen, 1972', modelCaption: 'A dog on a couch.', edited: false });

    store().chooseModelCaption(id, true);
    expect(altTextOf(job('kitchen.jpg'))).toBe('A dog on a couch.');
    expect(exportRows(store().jobs, new Map())[0]).toMatchObject({ caption: 'A dog on a couch.', description: 'Grandma’s kitchen, 1972' });

    store().chooseModelCaption(id, false);
    store().editCaption(id, 'Grandma’s kitchen, 1972'); // the same as the description: no edit
    expect(job('kitchen.jpg').editedCaption).toBeNull();
    store().editCaption(id, 'The blue teapot');
    expect(altTextOf(job('kitchen.jpg'))).toBe('The blue teapot');
  });

  it('is kept with the result in storage (and results kept before it read as having none)', () => {
    const before = store().jobs;
    store().restore([{ id: 'old', name: 'old.jpg', position: 0, run: '', thumbnail: null, settings: null, editedCaption: null, state: stored() }]);
    expect(job('old.jpg')).toMatchObject({ description: null, useModelCaption: false });
    store().setDescription('old', 'A person’s words');
    expect(jobsChange(before, store().jobs).captioned).toEqual([]);
    const beforeChoice = store().jobs;
    store().chooseModelCaption('old', true);
    expect(jobsChange(beforeChoice, store().jobs).edited.map((changed) => changed.name)).toEqual(['old.jpg']);
  });

  it('a machine-written description keeps its writer, which a restored result keeps too; a person’s has none', () => {
    const writer = 'show-and-tell-browser (machine-written, model: older)';
    store().restore([{ id: 'marked', name: 'marked.jpg', position: 0, run: '', thumbnail: null, settings: null, editedCaption: null, description: 'A cat.', descriptionWriter: writer, state: stored() }]);
    expect(job('marked.jpg')).toMatchObject({ description: 'A cat.', descriptionWriter: writer });
    const before = store().jobs;
    store().setDescription('marked', 'Our cat Tom');
    expect(job('marked.jpg')).toMatchObject({ description: 'Our cat Tom', descriptionWriter: null });
    expect(jobsChange(before, store().jobs).edited.map((changed) => changed.name)).toEqual(['marked.jpg']);
  });
});

describe('queue progress', () => {
  it('estimates the time left from the recent rate', () => {
    expect(estimateTimeLeftMs(0, [], 10)).toBeNull();
    expect(estimateTimeLeftMs(0, [1000, 2000], 0)).toBe(0);
    expect(estimateTimeLeftMs(0, [1000, 2000], 10)).toBe(10_000);
    // After a slow start (model loading), only the last 20 photos count: 100 ms each.
    const finishes = [30_000, ...Array.from({ length: 25 }, (_, i) => 30_000 + (i + 1) * 100)];
    expect(estimateTimeLeftMs(0, finishes, 50)).toBeCloseTo(5000);
  });

  it('counts the photos of the current run only', () => {
    store().addFiles([new File(['x'], 'a.jpg')]);
    store().setJobState(job('a.jpg').id, done());
    store().addFiles([new File(['x'], 'b.jpg'), new File(['x'], 'c.jpg')]);
    store().addFiles([new File(['x'], 'd.jpg')]); // joins the busy run
    store().setJobState(job('b.jpg').id, done());
    const progress = queueProgress(store().jobs, store().currentRun);
    expect(progress).toMatchObject({ finished: 1, total: 3 });
    expect(progress.timeLeftMs).not.toBeNull();
  });

  it('goes on with the run a reload interrupted: its photos kept as waiting, and those it finished before, count', () => {
    const result = (id: string, run: string) => ({ id, name: `${id}.jpg`, position: 0, run, thumbnail: null, settings: null, editedCaption: null, state: stored() });
    const queued = (id: string, position: number) => ({ id, name: `${id}.jpg`, position, run: 'earlier-1', file: new File(['x'], `${id}.jpg`) });
    store().restore([result('last-week', 'earlier-0'), result('first', 'earlier-1'), result('second', 'earlier-1')], [queued('third', 3), queued('fourth', 4)]);
    expect(store().jobs.map((restored) => [restored.name, restored.state.kind])).toEqual([
      ['last-week.jpg', 'done'],
      ['first.jpg', 'done'],
      ['second.jpg', 'done'],
      ['third.jpg', 'waiting'],
      ['fourth.jpg', 'waiting'],
    ]);
    expect(queueProgress(store().jobs, store().currentRun)).toMatchObject({ finished: 2, total: 4 });
    // Photos picked now join that run.
    store().addFiles([new File(['x'], 'fifth.jpg')]);
    store().setJobState(job('third.jpg').id, done());
    expect(queueProgress(store().jobs, store().currentRun)).toMatchObject({ finished: 3, total: 5 });
  });

  it('says the time left in words', () => {
    expect(formatTimeLeft(400)).toBe('about 1 s');
    expect(formatTimeLeft(42_000)).toBe('about 42 s');
    expect(formatTimeLeft(185_000)).toBe('about 3 min');
    expect(formatTimeLeft(4_830_000)).toBe('about 1 h 21 min');
  });
});

/** Fake entries of the File and Directory Entries API; folders hand out their entries two at a time. */
function folder(fullPath: string, children: object[]) {
  let next = 0;
  return {
    isFile: false,
    isDirectory: true,
    name: fullPath.split('/').pop()!,
    fullPath,
    createReader: () => ({
      readEntries: (resolve: (entries: object[]) => void) => {
        resolve(children.slice(next, next + 2));
        next += 2;
      },
    }),
  };
}

function file(fullPath: string) {
  const name = fullPath.split('/').pop()!;
  return { isFile: true, isDirectory: false, name, fullPath, file: (resolve: (file: File) => void) => resolve(new File(['x'], name)) };
}

describe('dropped files and folders', () => {
  it('takes image files by extension, skipping hidden files and folders', () => {
    expect(['a.JPG', 'b.jpeg', 'c.png', 'd.webp', 'e.gif', 'f.bmp', 'g.avif'].every(isPhotoPath)).toBe(true);
    expect(['notes.txt', 'photo.jpg.xmp', 'raw.cr2', '._IMG_1.jpg', 'trip/.thumbnails/a.jpg'].some(isPhotoPath)).toBe(false);
  });

  it('walks folders and subfolders, reading every batch, and sorts their photos by path', async () => {
    const trip = folder('/trip', [
      file('/trip/img10.jpg'),
      file('/trip/notes.txt'),
      folder('/trip/day 1', [file('/trip/day 1/b.png'), file('/trip/day 1/a.png'), folder('/trip/day 1/.cache', [file('/trip/day 1/.cache/x.jpg')])]),
      file('/trip/img9.jpg'),
      file('/trip/._img9.jpg'),
    ]);
    const loose = new File(['x'], 'loose.txt');
    const items = droppedItems([
      { kind: 'string', getAsFile: () => null },
      { kind: 'file', getAsFile: () => null, webkitGetAsEntry: () => trip },
      { kind: 'file', getAsFile: () => loose, webkitGetAsEntry: () => file('/loose.txt') },
    ]);
    const photos = await walkDropped(items);
    // A loose file is taken whatever it is, so its card can say what is wrong with it.
    expect(photos.map((photo) => photo.name)).toEqual(['trip/day 1/a.png', 'trip/day 1/b.png', 'trip/img9.jpg', 'trip/img10.jpg', 'loose.txt']);
    expect(photos.at(-1)).toEqual({ file: loose, name: 'loose.txt' });
  });

  it('gives a file or a folder that cannot be read a failed card of its own, and the rest of the folder is captioned', async () => {
    const locked = { ...file('/trip/locked.jpg'), file: (_: unknown, fail: (error: unknown) => void) => fail(new DOMException('A requested file could not be read.', 'NotReadableError')) };
    const gone = { ...folder('/trip/gone', []), createReader: () => ({ readEntries: (_: unknown, fail: (error: unknown) => void) => fail(new DOMException('The folder was removed.', 'NotFoundError')) }) };
    const trip = folder('/trip', [file('/trip/a.jpg'), locked, gone, file('/trip/b.jpg')]);
    const photos = await walkDropped(droppedItems([{ kind: 'file', getAsFile: () => null, webkitGetAsEntry: () => trip }]));
    expect(photos).toEqual([
      { file: expect.any(File), name: 'trip/a.jpg' },
      { file: expect.any(File), name: 'trip/b.jpg' },
      { name: 'trip/gone', problem: 'This folder could not be read completely: The folder was removed.' },
      { name: 'trip/locked.jpg', problem: 'This file could not be read: A requested file could not be read.' },
    ]);

    store().addFiles(photos);
    const added = store().jobs.slice(-4);
    expect(added.map((job) => [job.name, job.state])).toEqual([
      ['trip/a.jpg', { kind: 'waiting' }],
      ['trip/b.jpg', { kind: 'waiting' }],
      ['trip/gone', { kind: 'failed', message: 'This folder could not be read completely: The folder was removed.' }],
      ['trip/locked.jpg', { kind: 'failed', message: 'This file could not be read: A requested file could not be read.' }],
    ]);
    // A failure that took no time does not count in the rate of the time left.
    expect(added.map((job) => job.finishedAt)).toEqual([null, null, null, null]);
  });

  it('takes the photos of a chosen folder by their relative paths', () => {
    const inFolder = (path: string) => Object.defineProperty(new File(['x'], path.split('/').pop()!), 'webkitRelativePath', { value: path });
    const chosen = [inFolder('lib/z.jpg'), inFolder('lib/sub/a.png'), inFolder('lib/readme.md')];
    expect(photosOfChosenFolder(chosen).map((photo) => photo.name)).toEqual(['lib/sub/a.png', 'lib/z.jpg']);
  });
});

describe('storage problems', () => {
  it('names a full quota and a browser that refuses storage', () => {
    expect(storageProblem(new DOMException('quota', 'QuotaExceededError'))).toMatch(/storage for this site is full/);
    expect(storageProblem(new DOMException('no', 'InvalidStateError'))).toMatch(/private window/);
    expect(storageProblem(new Error('disk on fire'))).toMatch(/storage failed \(disk on fire\)/);
  });
});

describe('storage operations', () => {
  it('run one after the other, and a failure is shown without stopping the next', async () => {
    const ran: string[] = [];
    const slowWrite = storeInOrder('results', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      ran.push('result written');
    });
    const failing = storeInOrder('queue', async () => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    const forget = storeInOrder('queue', async () => {
      ran.push('photo forgotten');
    });
    expect(await Promise.all([slowWrite, failing, forget])).toEqual([true, false, true]);
    expect(ran).toEqual(['result written', 'photo forgotten']);
    expect(useStorageStore.getState().problem).toMatch(/^Photos waiting to be captioned are not kept .*storage for this site is full.*keep this page open/);
  });
});
