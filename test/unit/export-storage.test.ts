/** The export when this browser's storage cannot be read: it says so, and names the photos it lacks details of. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exportRows, exportShortfall } from '../../src/store/export';
import { doneState, type PhotoJob, type ResultDetails } from '../../src/store/jobs';
import { allResultDetails, holdResultDetails, loadResultDetails } from '../../src/store/saved-results';

let storageFailure: Error | null = null;
const storedDetails: ResultDetails = {
  captions: [
    { text: 'a stored cat', words: ['a', 'stored', 'cat'], logProb: -1, p: Math.exp(-1) },
    { text: 'a cat', words: ['a', 'cat'], logProb: -2, p: Math.exp(-2) },
  ],
  objects: [{ label: 'cat', score: 0.9, box: [0, 0, 1, 1] }],
  elapsedMs: 5,
};

const storedRecord = { version: 1, id: 'restored-1', name: 'old.jpg', position: 1, state: { kind: 'done', ...storedDetails } };

vi.mock('idb-keyval', async (importOriginal) => ({
  ...(await importOriginal<typeof import('idb-keyval')>()),
  values: async () => {
    if (storageFailure) throw storageFailure;
    return [storedRecord];
  },
  get: async (key: string) => (key === storedRecord.id ? storedRecord : undefined),
}));

function details(text: string): ResultDetails {
  return { captions: [{ text, words: text.split(' '), logProb: -0.5, p: Math.exp(-0.5) }, { text: `${text} too`, words: [], logProb: -3, p: Math.exp(-3) }], objects: [{ label: 'dog', score: 0.8, box: [0, 0, 1, 1] }], elapsedMs: 3 };
}

function finishedJob(id: string, name: string, caption: string): PhotoJob {
  return {
    id,
    name,
    file: null,
    thumbnail: null,
    settings: null,
    editedCaption: null,
    description: null,
    descriptionWriter: null,
    useModelCaption: false,
    position: 0,
    restored: id.startsWith('restored'),
    run: '',
    finishedAt: null,
    state: doneState(details(caption)),
  };
}

const jobs = [finishedJob('restored-1', 'old.jpg', 'a stored cat'), finishedJob('restored-2', 'older.jpg', 'a stored dog'), finishedJob('new-1', 'new.jpg', 'a new dog')];

describe('an export', () => {
  afterEach(() => {
    storageFailure = null;
  });

  it('with storage readable, has every photo’s captions and objects, and lacks only those storage no longer holds', async () => {
    holdResultDetails('new-1', details('a new dog'));
    const { details: all, unreadable } = await allResultDetails();
    expect(unreadable).toBeNull();
    const rows = exportRows(jobs, all);
    expect(rows.find((row) => row.file === 'old.jpg')).toMatchObject({ captions: [{ text: 'a stored cat' }, { text: 'a cat' }], objects: [{ label: 'cat' }] });
    expect(rows.find((row) => row.file === 'new.jpg')?.captions).toHaveLength(2);
    expect(exportShortfall(jobs, all, unreadable)).toBe(
      'The export lacks the other captions and the detected objects of 1 photo (older.jpg), because this browser’s storage no longer holds them. It has their best caption.',
    );
  });

  it('when storage cannot be read, says so and names the photos whose captions and objects it lacks', async () => {
    storageFailure = new DOMException('The database connection is closing.', 'InvalidStateError');
    holdResultDetails('new-1', details('a new dog'));
    const { details: all, unreadable } = await allResultDetails();
    expect(unreadable).toBe('this browser does not let the page store data (private window, or storage turned off)');
    // What is at hand is still exported in full.
    expect(exportRows(jobs, all).find((row) => row.file === 'new.jpg')?.objects).toEqual([{ label: 'dog', score: 0.8, box: [0, 0, 1, 1] }]);
    expect(exportShortfall(jobs, all, unreadable)).toBe(
      'The export lacks the other captions and the detected objects of 2 photos (old.jpg, older.jpg), because this browser’s storage could not be read: ' +
        'this browser does not let the page store data (private window, or storage turned off). It has their best caption.',
    );
  });

  it('when storage cannot be read, still has the details a card read before', async () => {
    expect(await loadResultDetails('restored-1')).toEqual(storedDetails);
    storageFailure = new DOMException('The database connection is closing.', 'InvalidStateError');
    const { details: all, unreadable } = await allResultDetails();
    expect(all.get('restored-1')).toEqual(storedDetails);
    expect(exportShortfall(jobs, all, unreadable)).toMatch(/of 1 photo \(older\.jpg\), because this browser’s storage could not be read/);
  });

  it('counts the photos past the tenth it names', () => {
    const many = Array.from({ length: 13 }, (_, index) => finishedJob(`restored-${index}`, `p${index}.jpg`, 'a cat'));
    expect(exportShortfall(many, new Map(), 'storage failed (boom)')).toMatch(/of 13 photos \(p0\.jpg, .*, p9\.jpg and 3 more\), because this browser’s storage could not be read: storage failed \(boom\)\./);
    expect(exportShortfall(many, new Map(many.map((job) => [job.id, details('a cat')])), null)).toBeNull();
  });
});
