import { useId } from 'react';
import { backendPinnedByUrl, useBackendSettingStore } from '../store/backend-setting';
import { BACKENDS, isBackendName, type BackendPreference } from '../worker/protocol';

const CHOICES: Record<BackendPreference, string> = {
  auto: 'Automatic (fastest on this device)',
  webgpu: 'WebGPU (GPU)',
  webgl: 'WebGL (GPU)',
  wasm: 'WebAssembly (CPU)',
  cpu: 'Plain JavaScript (slowest)',
};

/** Lets the user force a backend when the automatic choice is wrong for their machine. */
export function BackendSetting() {
  const id = useId();
  const backend = useBackendSettingStore((state) => state.backend);
  const setBackend = useBackendSettingStore((state) => state.setBackend);
  const pinned = backendPinnedByUrl();
  return (
    <div className="setting">
      <label htmlFor={id}>Compute with</label>
      <select
        id={id}
        data-testid="backend-setting"
        value={pinned ?? backend}
        disabled={pinned !== null}
        onChange={(event) => setBackend(isBackendName(event.target.value) ? event.target.value : 'auto')}
      >
        {(['auto', ...BACKENDS] as const).map((choice) => (
          <option key={choice} value={choice}>
            {CHOICES[choice]}
          </option>
        ))}
      </select>
      {pinned && <small className="muted">Set by ?backend={pinned} in the address.</small>}
    </div>
  );
}
