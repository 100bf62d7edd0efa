/**
 * Keeps finished results (captions, objects, settings, edits and a small thumbnail) in IndexedDB,
 * so they survive a reload and a browser restart until the user removes them. It follows the jobs
 * store: every captioned, edited or removed photo is written through. Storage failures (quota,
 * private mode, no IndexedDB) are reported in useStorageStore and never stop captioning.
 */
import { createStore, delMany, set, values, type UseStore } from 'idb-keyval';
import { create } from 'zustand';
import { errorMessage } from '../worker/protocol';
import { jobsChange, useJobsStore, type PhotoJob, type RestoredJob } from './jobs';

const DATABASE = 'show-and-tell';
const STORE = 'results';

/** One stored result; `version` lets a later format read or drop older records. */
export interface SavedResult extends RestoredJob {
  version: 1;
}

interface StorageState {
  /** Why results are not being kept, for the page to show; null while storage works. */
  problem: string | null;
}

export const useStorageStore = create<StorageState>()(() => ({ problem: null }));

let database: UseStore | null = null;

/** Opened on first use; throws where IndexedDB is missing. */
function resultsStore(): UseStore {
  if (typeof indexedDB === 'undefined') throw new DOMException('IndexedDB is not available', 'NotSupportedError');
  database ??= createStore(DATABASE, STORE);
  return database;
}

/** A sentence for the page about why storing failed. */
export function storageProblem(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  const reason =
    name === 'QuotaExceededError'
      ? 'the browser’s storage for this site is full'
      : name === 'NotSupportedError' || name === 'InvalidStateError' || name === 'SecurityError'
        ? 'this browser does not let the page store data (private window, or storage turned off)'
        : `storage failed (${errorMessage(error)})`;
  return `Results are not kept in this browser: ${reason}. Captioning goes on; use Export to keep them.`;
}

async function reportFailures(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    useStorageStore.setState({ problem: storageProblem(error) });
  }
}

function toSaved(job: PhotoJob): SavedResult | null {
  if (job.state.kind !== 'done') return null;
  const { id, name, position, thumbnail, settings, editedCaption, description, useModelCaption, state } = job;
  return { version: 1, id, name, position, thumbnail, settings, editedCaption, description, useModelCaption, state };
}

function isSavedResult(value: unknown): value is SavedResult {
  const record = value as Partial<SavedResult> | null;
  return record?.version === 1 && typeof record.id === 'string' && typeof record.position === 'number' && record.state?.kind === 'done';
}

function write(jobs: readonly PhotoJob[]): Promise<void> {
  return reportFailures(async () => {
    for (const job of jobs) {
      const record = toSaved(job);
      if (record) await set(job.id, record, resultsStore());
    }
  });
}

/** Writes every change of the jobs store through and loads the kept results into it. Call once at start-up. */
export async function startSavingResults(): Promise<void> {
  useJobsStore.subscribe(({ jobs }, previous) => {
    const { captioned, edited, removedIds } = jobsChange(previous.jobs, jobs);
    if (captioned.length + edited.length > 0) void write([...captioned, ...edited]);
    if (removedIds.length > 0) void reportFailures(() => delMany(removedIds, resultsStore()));
  });
  // After subscribing, so photos captioned while this loads are kept too (restored ones are not written again).
  await reportFailures(async () => {
    useJobsStore.getState().addRestored((await values<unknown>(resultsStore())).filter(isSavedResult));
  });
}
