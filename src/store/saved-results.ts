/**
 * Keeps finished results (captions, objects, settings, edits and a small thumbnail) in IndexedDB,
 * so they survive a reload and a browser restart until the user removes them. It follows the jobs
 * store: every captioned, edited or removed photo is written through, and a captioned photo's
 * bytes leave the queue's storage (photo-queue.ts) once its result is stored. Storage failures
 * (quota, private mode, no IndexedDB, an eviction) are shown (storage-status.ts) and never stop captioning.
 */
import { delMany, setMany, values } from 'idb-keyval';
import { jobsChange, useJobsStore, type PhotoJob, type RestoredJob } from './jobs';
import { openStore } from './idb-store';
import { forgetQueuedPhotos, loadQueuedPhotos, startKeepingQueue } from './photo-queue';
import { askToKeepStorage, storeAgain, storeInOrder } from './storage-status';

/** One stored result; `version` lets a later format read or drop older records. `run` came later: absent in older ones. */
export interface SavedResult extends Omit<RestoredJob, 'run'> {
  version: 1;
  run?: string;
}

const resultsStore = openStore('show-and-tell', 'results', () => void storeAgain(() => write(useJobsStore.getState().jobs)));

/** The key and record of a finished job; none for one not captioned. */
function toSaved(job: PhotoJob): [string, SavedResult][] {
  if (job.state.kind !== 'done') return [];
  const { id, name, position, run, thumbnail, settings, editedCaption, description, useModelCaption, state } = job;
  return [[id, { version: 1, id, name, position, run, thumbnail, settings, editedCaption, description, useModelCaption, state }]];
}

function isSavedResult(value: unknown): value is SavedResult {
  const record = value as Partial<SavedResult> | null;
  return record?.version === 1 && typeof record.id === 'string' && typeof record.position === 'number' && record.state?.kind === 'done';
}

function write(jobs: readonly PhotoJob[]): Promise<boolean> {
  const records = jobs.flatMap(toSaved);
  return records.length === 0 ? Promise.resolve(true) : storeInOrder('results', () => setMany(records, resultsStore));
}

/**
 * Writes every change of the jobs store through, and loads what an earlier visit kept into it:
 * results, and the photos it had not captioned yet. Call once at start-up.
 */
export async function startSavingResults(): Promise<void> {
  startKeepingQueue();
  useJobsStore.subscribe(({ jobs }, previous) => {
    const { captioned, edited, removedIds } = jobsChange(previous.jobs, jobs);
    if (captioned.length + edited.length > 0) {
      // The photo leaves the queue's storage only now, so a reload before this captions it again.
      void write([...captioned, ...edited]).then(() => forgetQueuedPhotos(captioned.map((job) => job.id)));
    }
    if (removedIds.length > 0) void storeInOrder('results', () => delMany(removedIds, resultsStore));
  });
  // After subscribing, so photos captioned while this loads are kept too (restored ones are not written again).
  let results: SavedResult[] = [];
  await storeInOrder('results', async () => {
    results = (await values<unknown>(resultsStore)).filter(isSavedResult);
  });
  const queued = await loadQueuedPhotos();
  // A photo whose result was stored just before the page went away is not captioned again.
  const stored = new Set(results.map((result) => result.id));
  void forgetQueuedPhotos(queued.filter((photo) => stored.has(photo.id)).map((photo) => photo.id));
  useJobsStore.getState().restore(
    results.map(({ version: _, run = '', ...result }) => ({ ...result, run })),
    queued.filter((photo) => !stored.has(photo.id)),
  );
  void askToKeepStorage();
}
