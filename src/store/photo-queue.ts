/**
 * Keeps the photos waiting to be captioned in IndexedDB (their bytes, name or path inside a dropped
 * folder, and place in the queue) until their result is stored, so a reload, a browser restart or a
 * crashed tab loses none of them: at start-up they come back as waiting photos and the queue goes
 * on by itself (saved-results.ts restores them with the results).
 */
import { delMany, setMany, values } from 'idb-keyval';
import { isPending, jobsChange, useJobsStore, type PhotoJob, type QueuedJob } from './jobs';
import { openStore } from './idb-store';
import { storageSettled, storeAgain, storeInOrder } from './storage-status';

/** One kept photo; `version` lets a later format read or drop older records. */
interface QueuedPhoto extends QueuedJob {
  version: 1;
}

const queueStore = openStore('show-and-tell-queue', 'photos', () => void storeAgain(() => keep(useJobsStore.getState().jobs.filter(isWaitingPhoto))));

/** Ids of the photos kept, or being kept, in storage. */
const kept = new Set<string>();
/** Ids of the photos storage refused: a reload would lose them. */
const notKept = new Set<string>();

function isWaitingPhoto(job: PhotoJob): job is PhotoJob & { file: File } {
  return job.file !== null && isPending(job);
}

function isQueuedPhoto(value: unknown): value is QueuedPhoto {
  const record = value as Partial<QueuedPhoto> | null;
  return record?.version === 1 && typeof record.id === 'string' && typeof record.position === 'number' && record.file instanceof Blob;
}

function keep(jobs: readonly (PhotoJob & { file: File })[]): Promise<boolean> {
  if (jobs.length === 0) return Promise.resolve(true);
  for (const job of jobs) kept.add(job.id);
  const records = jobs.map(({ id, name, position, run, file }): [string, QueuedPhoto] => [id, { version: 1, id, name, position, run, file }]);
  return storeInOrder('queue', () => setMany(records, queueStore)).then((stored) => {
    for (const job of jobs) (stored ? notKept.delete(job.id) : notKept.add(job.id));
    return stored;
  });
}

/** Called once a photo's result is stored (or cannot be: it is captioned, so nothing is left to redo). */
export function forgetQueuedPhotos(jobIds: readonly string[]): Promise<boolean> {
  const known = jobIds.filter((id) => kept.delete(id) || notKept.delete(id));
  return known.length === 0 ? Promise.resolve(true) : storeInOrder('queue', () => delMany(known, queueStore));
}

/** Drops whose folders are still being walked: their photos are not in the list yet, so nothing keeps them. */
const arriving = new Set<Promise<void>>();

/** Holds a reload into isolation (queueKept) until `adding` (walking a drop's folders, then adding its photos) is over. */
export function keepWhileArriving(adding: Promise<void>): void {
  const settled = adding.catch(() => undefined);
  arriving.add(settled);
  void settled.then(() => arriving.delete(settled));
}

/**
 * Resolves once no photo is arriving and every photo added is in storage, photos that arrive while
 * it waits included: true when all of them are, so the page may go away (the service worker's reload
 * into cross-origin isolation waits for this).
 */
export async function queueKept(): Promise<boolean> {
  // A walk that ends adds photos to store; a drop while storing starts another walk.
  do {
    await Promise.all(arriving);
    await storageSettled();
  } while (arriving.size > 0);
  return notKept.size === 0;
}

/** The photos a reload, restart or crash interrupted. Call once, at start-up. */
export async function loadQueuedPhotos(): Promise<QueuedJob[]> {
  let photos: QueuedJob[] = [];
  await storeInOrder('queue', async () => {
    photos = (await values<unknown>(queueStore)).filter(isQueuedPhoto).map(({ id, name, position, run, file }) => ({ id, name, position, run, file: file as File }));
  });
  for (const photo of photos) kept.add(photo.id);
  return photos;
}

/** Keeps every photo added from now on, and lets go of those that failed or were removed. Call once at start-up. */
export function startKeepingQueue(): void {
  useJobsStore.subscribe(({ jobs }, previous) => {
    // Photos are only ever added by making the list longer.
    if (jobs.length > previous.jobs.length) void keep(jobs.filter(isWaitingPhoto).filter((job) => !kept.has(job.id)));
    const { failed, removedIds } = jobsChange(previous.jobs, jobs);
    void forgetQueuedPhotos([...failed.map((job) => job.id), ...removedIds]);
  });
}
