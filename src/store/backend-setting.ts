/** The backend the user asked for in the settings ("auto" unless they force one), kept across visits. */
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import { isBackendName, type BackendName, type BackendPreference, type BackendPreferenceOrigin } from '../worker/protocol';

interface BackendSettingState {
  backend: BackendPreference;
  setBackend: (backend: BackendPreference) => void;
}

export const useBackendSettingStore = create<BackendSettingState>()(
  persist((set) => ({ backend: 'auto', setBackend: (backend) => set({ backend }) }), {
    name: 'show-and-tell-backend',
    partialize: ({ backend }) => ({ backend }),
    // Whatever an older version (or a person in devtools) stored, only known values survive.
    merge: (stored, current) => {
      const backend = (stored as Partial<BackendSettingState> | null)?.backend;
      return { ...current, backend: isBackendName(backend) ? backend : 'auto' };
    },
  }),
);

/** `?backend=webgl|wasm|cpu` in the address pins the backend over the settings (the end-to-end tests use it). */
export function backendPinnedByUrl(): BackendName | null {
  const requested = new URLSearchParams(location.search).get('backend');
  return isBackendName(requested) ? requested : null;
}

export function currentBackendPreference(): { preferredBackend: BackendPreference; preferenceOrigin: BackendPreferenceOrigin } {
  const pinned = backendPinnedByUrl();
  if (pinned) return { preferredBackend: pinned, preferenceOrigin: 'url' };
  return { preferredBackend: useBackendSettingStore.getState().backend, preferenceOrigin: 'settings' };
}
