import { create } from 'zustand';
import type { ModelList, ModelListEntry } from '../captioner/model-list';
import type { BackendName, ModelReadyEvent } from '../worker/protocol';

export type ModelStatus =
  | { phase: 'listing' }
  | { phase: 'no-models' }
  /** Data Saver is on and the model is not kept here: it is downloaded once the user agrees (downloadModel). */
  | { phase: 'asking'; modelId: string; bytes: number | null }
  | { phase: 'downloading'; modelId: string; loadedBytes: number; totalBytes: number | null }
  | { phase: 'warming-up'; modelId: string; backend: BackendName }
  | ({ phase: 'ready' } & Omit<ModelReadyEvent, 'type' | 'loadId'>)
  | { phase: 'error'; modelId: string | null; message: string };

interface ModelState {
  /** models.json's entries and its default model's id (null when it names none). */
  catalog: ModelListEntry[];
  defaultModelId: string | null;
  status: ModelStatus;
  setCatalog: (list: ModelList) => void;
  setStatus: (status: ModelStatus) => void;
}

export const useModelStore = create<ModelState>()((set) => ({
  catalog: [],
  defaultModelId: null,
  status: { phase: 'listing' },
  setCatalog: (list) => set({ catalog: list.models, defaultModelId: list.default ?? null }),
  setStatus: (status) => set({ status }),
}));
