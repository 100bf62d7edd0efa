import { create } from 'zustand';
import type { BackendName, ModelReadyEvent } from '../worker/protocol';

/** One entry of public/models/models.json. */
export interface CatalogEntry {
  id: string;
  name: string;
  fixture: boolean;
  /** Content hash of the package (set by the production build): its files live under models/<id>/<version>/. */
  version: string | null;
}

export type ModelStatus =
  | { phase: 'listing' }
  | { phase: 'no-models' }
  | { phase: 'downloading'; modelId: string; loadedBytes: number; totalBytes: number | null }
  | { phase: 'warming-up'; modelId: string; backend: BackendName }
  | ({ phase: 'ready' } & Omit<ModelReadyEvent, 'type'>)
  | { phase: 'error'; modelId: string | null; message: string };

interface ModelState {
  catalog: CatalogEntry[];
  status: ModelStatus;
  setCatalog: (catalog: CatalogEntry[]) => void;
  setStatus: (status: ModelStatus) => void;
}

export const useModelStore = create<ModelState>()((set) => ({
  catalog: [],
  status: { phase: 'listing' },
  setCatalog: (catalog) => set({ catalog }),
  setStatus: (status) => set({ status }),
}));
