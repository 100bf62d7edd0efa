/**
 * What the page tells about this browser's storage: whether it is kept (persistent storage), how
 * much the kept photos and results use, and what went wrong (a full disk, no IndexedDB, an eviction).
 */
import { create } from 'zustand';
import { errorMessage } from '../worker/protocol';

interface StorageState {
  /** Why photos or results are not being kept, for the page to show; null while storage works. */
  problem: string | null;
  /** Whether the browser keeps this site's storage until the person clears it (null: not asked, or no such API). */
  persisted: boolean | null;
  /** Bytes this site keeps in IndexedDB (results, thumbnails, photos waiting), null where the browser does not say. */
  usedBytes: number | null;
}

export const useStorageStore = create<StorageState>()(() => ({ problem: null, persisted: null, usedBytes: null }));

/** What failed to be stored: finished results, or photos waiting to be captioned. */
export type Kept = 'results' | 'queue';

const CONSEQUENCES: Record<Kept, string> = {
  results: 'Results are not kept in this browser: REASON. Captioning goes on; use Export to keep them.',
  queue: 'Photos waiting to be captioned are not kept in this browser: REASON. Captioning goes on; keep this page open until they are done.',
};

/** Why storage failed, in words: "the browser’s storage for this site is full". */
export function storageFailureReason(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  return name === 'QuotaExceededError'
    ? 'the browser’s storage for this site is full'
    : name === 'NotSupportedError' || name === 'InvalidStateError' || name === 'SecurityError'
      ? 'this browser does not let the page store data (private window, or storage turned off)'
      : `storage failed (${errorMessage(error)})`;
}

/** A sentence for the page about why storing failed. */
export function storageProblem(error: unknown, kept: Kept = 'results'): string {
  return CONSEQUENCES[kept].replace('REASON', storageFailureReason(error));
}

const EVICTED =
  'The browser cleared this site’s storage (it was short of space, or its data was cleared). The photos and results on this page were stored again; use Export to keep a copy elsewhere.';

/** Storage operations run one after the other: a later write of a result (an edit) never lands before an earlier one. */
let lastOperation: Promise<boolean> = Promise.resolve(true);

/**
 * Runs a storage operation after those started before it; resolves false when it failed, which is
 * shown on the page and never stops captioning.
 */
export function storeInOrder(kept: Kept, work: () => Promise<void>): Promise<boolean> {
  lastOperation = lastOperation.then(async () => {
    try {
      await work();
      scheduleUsageUpdate();
      return true;
    } catch (error) {
      useStorageStore.setState({ problem: storageProblem(error, kept) });
      return false;
    }
  });
  return lastOperation;
}

/** Resolves once no storage operation is left: those started while it waits are waited for too. */
export async function storageSettled(): Promise<void> {
  for (let waited: Promise<boolean> | null = null; waited !== lastOperation; ) {
    waited = lastOperation;
    await waited;
  }
}

/** Tries to store again after an eviction: the browser may still be deleting, which closes a new connection too. */
const STORE_AGAIN_ATTEMPTS = 3;
const STORE_AGAIN_DELAY_MS = 500;

/** After the browser took storage away: stores again what the page holds, and says what happened. */
export async function storeAgain(rewrite: () => Promise<boolean>): Promise<void> {
  for (let attempt = 1; attempt <= STORE_AGAIN_ATTEMPTS; attempt++) {
    if (await rewrite()) {
      useStorageStore.setState({ problem: EVICTED });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, STORE_AGAIN_DELAY_MS));
  }
}

/** How often at most the usage figure is read again while photos are being stored. */
const USAGE_UPDATE_MS = 2000;
let usageUpdate: ReturnType<typeof setTimeout> | null = null;

async function updateUsage(): Promise<void> {
  usageUpdate = null;
  const estimate = (await navigator.storage?.estimate?.().catch(() => null)) as (StorageEstimate & { usageDetails?: { indexedDB?: number } }) | null;
  // Chrome says how much is IndexedDB's; elsewhere the total includes the cached app and model.
  const used = estimate?.usageDetails?.indexedDB ?? estimate?.usage;
  if (used !== undefined) useStorageStore.setState({ usedBytes: used });
}

export function scheduleUsageUpdate(): void {
  usageUpdate ??= setTimeout(() => void updateUsage(), USAGE_UPDATE_MS);
}

/**
 * Asks the browser to keep this site's storage (it may then evict it only when the person says
 * so) and reads how much is used. Chrome grants it without a prompt to a site in use or installed.
 */
export async function askToKeepStorage(): Promise<void> {
  const persisted = (await navigator.storage?.persist?.().catch(() => false)) ?? null;
  useStorageStore.setState({ persisted });
  await updateUsage();
}
