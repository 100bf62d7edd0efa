/**
 * What the page tells about this browser's storage: whether it is kept (persistent storage), how
 * much the kept photos and results use, and what went wrong (a full disk, no IndexedDB, an eviction).
 * Kept up to date by src/services/storage-status.ts.
 */
import { create } from 'zustand';

interface StorageState {
  /** Why photos or results are not being kept, for the page to show; null while storage works. */
  problem: string | null;
  /** Whether the browser keeps this site's storage until the person clears it (null: not asked, or no such API). */
  persisted: boolean | null;
  /** Bytes this site keeps in IndexedDB (results, thumbnails, photos waiting), null where the browser does not say. */
  usedBytes: number | null;
}

export const useStorageStore = create<StorageState>()(() => ({ problem: null, persisted: null, usedBytes: null }));
