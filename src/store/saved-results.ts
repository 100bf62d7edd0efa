/**
 * Keeps finished results (captions, objects, settings, edits and a small thumbnail) in IndexedDB,
 * so they survive a reload and a browser restart until the user removes them. It follows the jobs
 * store: every captioned, edited or removed photo is written through, and a captioned photo's
 * bytes leave the queue's storage (photo-queue.ts) once its result is stored. Storage failures
 * (quota, private mode, no IndexedDB, an eviction) are shown (storage-status.ts) and never stop captioning.
 *
 * A result's details (all its captions, the detected objects: see ResultDetails) stay in memory only
 * until they are stored; the cards in view read them back (loadResultDetails), and the last ones read
 * are kept at hand, so memory stays flat over a library of thousands of photos.
 */
import { delMany, get, getMany, setMany, values } from 'idb-keyval';
import { jobsChange, useJobsStore, type PhotoJob, type ResultDetails, type RestoredJob } from './jobs';
import { openStore } from './idb-store';
import { forgetQueuedPhotos, loadQueuedPhotos, startKeepingQueue } from './photo-queue';
import { askToKeepStorage, storageFailureReason, storeAgain, storeInOrder } from './storage-status';

/** One stored result; `version` lets a later format read or drop older records. `run` came later: absent in older ones. */
export interface SavedResult extends Omit<RestoredJob, 'run'> {
  version: 1;
  run?: string;
}

const resultsStore = openStore('show-and-tell', 'results', () => void storeAgain(() => write(useJobsStore.getState().jobs)));

/** Details of this visit's results until storage has them (kept for as long as it refuses them). */
const unstored = new Map<string, ResultDetails>();
/** Details read or stored last, oldest first: the cards around the ones in view find theirs here. */
const recent = new Map<string, ResultDetails>();
/** A few screenfuls of cards. */
const RECENT_DETAILS = 100;

function keepRecent(jobId: string, details: ResultDetails): void {
  recent.delete(jobId);
  recent.set(jobId, details);
  if (recent.size > RECENT_DETAILS) recent.delete(recent.keys().next().value!);
}

/** The details of a photo captioned just now, held until they are stored. Call before its job is marked done. */
export function holdResultDetails(jobId: string, details: ResultDetails): void {
  unstored.set(jobId, details);
}

/** Details at hand, without reading storage. */
export function knownResultDetails(jobId: string): ResultDetails | undefined {
  return unstored.get(jobId) ?? recent.get(jobId);
}

/** A finished result's details: at hand, or read from storage (undefined when storage has none). */
export async function loadResultDetails(jobId: string): Promise<ResultDetails | undefined> {
  const known = knownResultDetails(jobId);
  if (known) return known;
  const record = await get<unknown>(jobId, resultsStore).catch(() => undefined);
  if (!isSavedResult(record)) return undefined;
  const { captions, objects, elapsedMs } = record.state;
  const details = { captions, objects, elapsedMs };
  keepRecent(jobId, details);
  return details;
}

/** Every finished result's details at hand or in storage, by job id (for the export). */
export interface AllResultDetails {
  details: Map<string, ResultDetails>;
  /** Why storage could not be read, so that only the details at hand are there; null when it was read. */
  unreadable: string | null;
}

export async function allResultDetails(): Promise<AllResultDetails> {
  // Those read last for the cards stand in for storage when it cannot be read.
  const details = new Map<string, ResultDetails>(recent);
  let unreadable: string | null = null;
  try {
    for (const record of await values<unknown>(resultsStore)) if (isSavedResult(record)) details.set(record.id, record.state);
  } catch (error) {
    unreadable = storageFailureReason(error);
  }
  for (const [jobId, held] of unstored) details.set(jobId, held);
  return { details, unreadable };
}

/** Stands in for details storage lost (an eviction, before the page stored its results again): the best caption. */
function bestOnly(job: PhotoJob): ResultDetails {
  const best = job.state.kind === 'done' ? job.state.best : null;
  return { captions: best ? [{ text: best.text, words: best.text.split(' '), logProb: Math.log(best.p), p: best.p }] : [], objects: null, elapsedMs: 0 };
}

/** The key and record of a finished job, with its details. */
function toSaved(job: PhotoJob, details: ResultDetails): [string, SavedResult] {
  const { id, name, position, run, thumbnail, settings, editedCaption, description, descriptionWriter, useModelCaption } = job;
  const state = { kind: 'done' as const, ...details };
  return [id, { version: 1, id, name, position, run, thumbnail, settings, editedCaption, description, descriptionWriter, useModelCaption, state }];
}

function isSavedResult(value: unknown): value is SavedResult {
  const record = value as Partial<SavedResult> | null;
  return record?.version === 1 && typeof record.id === 'string' && typeof record.position === 'number' && record.state?.kind === 'done';
}

/** Stores the finished ones among the jobs; the details not at hand are those storage has already. */
function write(jobs: readonly PhotoJob[]): Promise<boolean> {
  const finished = jobs.filter((job) => job.state.kind === 'done');
  if (finished.length === 0) return Promise.resolve(true);
  return storeInOrder('results', async () => {
    const elsewhere = finished.filter((job) => !knownResultDetails(job.id));
    const stored = new Map<string, unknown>();
    if (elsewhere.length > 0) {
      const records = await getMany<unknown>(elsewhere.map((job) => job.id), resultsStore);
      elsewhere.forEach((job, index) => stored.set(job.id, records[index]));
    }
    const detailsOf = (job: PhotoJob) => {
      const record = stored.get(job.id);
      return knownResultDetails(job.id) ?? (isSavedResult(record) ? record.state : bestOnly(job));
    };
    await setMany(finished.map((job) => toSaved(job, detailsOf(job))), resultsStore);
    // Stored: from now on read back when shown.
    for (const job of finished) {
      const details = unstored.get(job.id);
      if (!details) continue;
      unstored.delete(job.id);
      keepRecent(job.id, details);
    }
  });
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
    if (removedIds.length > 0) {
      for (const jobId of removedIds) {
        unstored.delete(jobId);
        recent.delete(jobId);
      }
      void storeInOrder('results', () => delMany(removedIds, resultsStore));
    }
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
