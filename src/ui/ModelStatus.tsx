import { retryModel } from '../services/captioner-bridge';
import { useModelStore, type ModelStatus as Status } from '../store/model';
import { usePoolStore } from '../store/captioner-pool';
import type { BackendName } from '../worker/protocol';
import { languageName } from '../captioner/language';
import { formatBytes } from './format';

const BACKEND_NAMES: Record<BackendName, string> = { webgpu: 'GPU via WebGPU', webgl: 'GPU via WebGL', wasm: 'CPU via WebAssembly', cpu: 'CPU, plain JavaScript' };

function modelName(modelId: string): string {
  return useModelStore.getState().catalog.find((entry) => entry.id === modelId)?.name ?? modelId;
}

function DownloadProgress({ loadedBytes, totalBytes }: { loadedBytes: number; totalBytes: number | null }) {
  return (
    <>
      <progress value={loadedBytes} max={totalBytes ?? undefined} />
      <p className="muted">
        {formatBytes(loadedBytes)}
        {totalBytes !== null && ` of ${formatBytes(totalBytes)}`}
      </p>
    </>
  );
}

/** The pool's size; how many workers have their model loaded is in data-running (helpers start with a batch). */
function CaptionWorkers() {
  const { plan, running } = usePoolStore();
  if (!plan) return null;
  return (
    <p className="muted" data-testid="caption-workers" data-workers={plan.workers} data-running={running}>
      Workers for a batch of photos: <strong>{plan.workers}</strong> ({plan.reason}).
    </p>
  );
}

function StatusBody({ status }: { status: Status }) {
  switch (status.phase) {
    case 'listing':
      return <p>Looking for models…</p>;
    case 'no-models':
      return (
        <p className="warning">
          No captioning model is installed: <code>models/models.json</code> lists no model. Photos you add will wait until
          one is installed (see the README, “Default model”).
        </p>
      );
    case 'asking':
      return <p>Not downloaded yet: Data Saver is on, and the page asks first (above the photos).</p>;
    case 'downloading':
      return (
        <>
          <p>Downloading {modelName(status.modelId)}…</p>
          <DownloadProgress loadedBytes={status.loadedBytes} totalBytes={status.totalBytes} />
        </>
      );
    case 'warming-up':
      return (
        <p>
          Warming up {modelName(status.modelId)} ({BACKEND_NAMES[status.backend]})…
        </p>
      );
    case 'ready':
      return (
        <>
          <p>
            <span className="ready-dot" aria-hidden="true" /> Ready: {status.model.name} · captions in{' '}
            <span data-testid="model-language" data-language={status.model.language}>
              {languageName(status.model.language)}
            </span>
          </p>
          <p className="muted">
            Backend: <strong data-testid="backend">{status.backend}</strong> ({BACKEND_NAMES[status.backend]}),{' '}
            <span data-testid="backend-reason">{status.backendReason}</span>
          </p>
          {status.wasmThreads && (
            <p className="muted" data-testid="wasm-threads" data-threads={status.wasmThreads.count}>
              WebAssembly threads: <strong>{status.wasmThreads.count}</strong> ({status.wasmThreads.reason}).
            </p>
          )}
          <CaptionWorkers />
          <p className="muted" data-testid="model-origin" data-origin={status.modelOrigin}>
            {status.modelOrigin === 'cache'
              ? 'Model loaded from this browser’s cache: captioning works offline.'
              : `Model downloaded from the network (${formatBytes(status.downloadedBytes)}).`}
          </p>
          {status.note && <p className="warning">{status.note}</p>}
          {typeof status.model.grounding === 'object' && (
            <p className="warning" data-testid="grounding-problem">
              Captions are not grounded in the detected objects: {status.model.grounding.problem}
            </p>
          )}
        </>
      );
    case 'error':
      return (
        <div role="alert">
          <p className="error">{status.message}</p>
          <button type="button" onClick={retryModel}>
            Retry
          </button>
        </div>
      );
  }
}

export function ModelStatus() {
  const status = useModelStore((state) => state.status);
  return (
    <section className="panel" data-testid="model-status" data-phase={status.phase} aria-live="polite">
      <h2>Model</h2>
      <StatusBody status={status} />
    </section>
  );
}
