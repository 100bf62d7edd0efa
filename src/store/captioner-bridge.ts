/**
 * The only code that talks to the captioner worker: UI components call these actions and read the
 * zustand stores, which this module keeps in sync with the worker's events.
 */
import { errorMessage, isBackendName, type BackendName, type WorkerEvent, type WorkerRequest } from '../worker/protocol';
import { findJob, useJobsStore, type PhotoJob } from './jobs';
import { useModelStore, type CatalogEntry } from './model';
import { readPhoto } from './read-photo';
import { currentBeamSearchOptions, useSettingsStore } from './settings';

/** One photo captioning and the next one decoded and waiting in the worker keeps the GPU busy without hoarding bitmaps. */
const MAX_JOBS_IN_FLIGHT = 2;

let worker: Worker | null = null;

function post(request: WorkerRequest, transfer: Transferable[] = []): void {
  worker ??= startWorker();
  worker.postMessage(request, transfer);
}

function isInFlight(job: PhotoJob): boolean {
  return job.state.kind === 'reading' || job.state.kind === 'captioning';
}

function startWorker(): Worker {
  const started = new Worker(new URL('../worker/captioner.worker.ts', import.meta.url), { type: 'module', name: 'captioner' });
  started.addEventListener('message', (event: MessageEvent<WorkerEvent>) => handleWorkerEvent(event.data));
  // The worker reports its own errors as events, so reaching this means it cannot go on: Retry starts a new one.
  started.addEventListener('error', (event) => {
    started.terminate();
    worker = null;
    const message = `The captioning worker stopped: ${event.message || 'it could not start'}.`;
    const { jobs, setJobState } = useJobsStore.getState();
    jobs.filter(isInFlight).forEach((job) => setJobState(job.id, { kind: 'failed', message }));
    useModelStore.getState().setStatus({ phase: 'error', modelId: useSettingsStore.getState().modelId, message });
  });
  return started;
}

/** `?backend=webgl|wasm|cpu` pins the first backend to try (used by the end-to-end tests). */
function preferredBackend(): BackendName {
  const requested = new URLSearchParams(location.search).get('backend');
  return isBackendName(requested) ? requested : 'webgl';
}

function modelUrl(modelId: string): string {
  return new URL(`models/${encodeURIComponent(modelId)}/`, document.baseURI).href;
}

function isCurrentModel(modelId: string): boolean {
  return useSettingsStore.getState().modelId === modelId;
}

function handleWorkerEvent(event: WorkerEvent): void {
  const { setStatus } = useModelStore.getState();
  const { setJobState } = useJobsStore.getState();
  switch (event.type) {
    case 'model-progress':
      if (isCurrentModel(event.modelId)) {
        setStatus({ phase: 'downloading', modelId: event.modelId, loadedBytes: event.loadedBytes, totalBytes: event.totalBytes });
      }
      return;
    case 'model-warming-up':
      if (isCurrentModel(event.modelId)) setStatus({ phase: 'warming-up', modelId: event.modelId, backend: event.backend });
      return;
    case 'model-ready':
      if (!isCurrentModel(event.model.id)) return;
      setStatus({ phase: 'ready', model: event.model, backend: event.backend, note: event.note });
      pumpQueue();
      return;
    case 'model-error':
      if (isCurrentModel(event.modelId)) setStatus({ phase: 'error', modelId: event.modelId, message: event.message });
      return;
    case 'job-started':
      if (findJob(event.jobId)) setJobState(event.jobId, { kind: 'captioning', beam: null });
      return;
    case 'job-hypotheses':
      if (findJob(event.jobId)) setJobState(event.jobId, { kind: 'captioning', beam: event.beam });
      return;
    case 'job-done':
      if (findJob(event.jobId)) setJobState(event.jobId, { kind: 'done', captions: event.captions, elapsedMs: event.elapsedMs });
      pumpQueue();
      return;
    case 'job-failed':
      if (findJob(event.jobId)) setJobState(event.jobId, { kind: 'failed', message: event.message });
      pumpQueue();
      return;
  }
}

function loadModel(modelId: string): void {
  useModelStore.getState().setStatus({ phase: 'downloading', modelId, loadedBytes: 0, totalBytes: null });
  post({ type: 'load-model', modelId, url: modelUrl(modelId), preferredBackend: preferredBackend() });
}

/** Decodes the photo on the main thread (createImageBitmap is asynchronous) and hands it over. */
async function sendJob(jobId: string, file: File): Promise<void> {
  const { setJobState } = useJobsStore.getState();
  setJobState(jobId, { kind: 'reading' });
  let bitmap: ImageBitmap;
  try {
    bitmap = await readPhoto(file);
  } catch (error) {
    setJobState(jobId, { kind: 'failed', message: errorMessage(error) });
    pumpQueue();
    return;
  }
  if (!findJob(jobId)) {
    bitmap.close(); // removed while decoding
    pumpQueue();
    return;
  }
  post({ type: 'caption', jobId, bitmap, settings: currentBeamSearchOptions() }, [bitmap]);
}

/** Starts waiting jobs while fewer than MAX_JOBS_IN_FLIGHT are being read or captioned. */
function pumpQueue(): void {
  if (useModelStore.getState().status.phase !== 'ready') return;
  const { jobs } = useJobsStore.getState();
  let inFlight = jobs.filter(isInFlight).length;
  for (const job of jobs) {
    if (inFlight >= MAX_JOBS_IN_FLIGHT) return;
    if (job.state.kind !== 'waiting') continue;
    inFlight++;
    void sendJob(job.id, job.file);
  }
}

function parseCatalog(json: unknown): { defaultId: string | null; models: CatalogEntry[] } {
  const catalog = json as { default?: unknown; models?: unknown } | null;
  if (!catalog || !Array.isArray(catalog.models)) throw new Error('models.json has no "models" list');
  const models = catalog.models.map((entry: { id?: unknown; name?: unknown; fixture?: unknown }) => {
    if (typeof entry?.id !== 'string') throw new Error('a models.json entry has no "id"');
    return { id: entry.id, name: typeof entry.name === 'string' ? entry.name : entry.id, fixture: entry.fixture === true };
  });
  return { defaultId: typeof catalog.default === 'string' ? catalog.default : null, models };
}

/** Reads models.json and loads the default model. Call once at start-up. */
export async function startCaptioner(): Promise<void> {
  const { setCatalog, setStatus } = useModelStore.getState();
  setStatus({ phase: 'listing' });
  let catalog: ReturnType<typeof parseCatalog>;
  try {
    const response = await fetch(new URL('models/models.json', document.baseURI));
    if (!response.ok) throw new Error(`models/models.json: HTTP ${response.status}`);
    catalog = parseCatalog(await response.json());
  } catch (error) {
    setStatus({ phase: 'error', modelId: null, message: `Could not read the list of models (${errorMessage(error)}).` });
    return;
  }
  setCatalog(catalog.models);
  const first = catalog.models.find((model) => model.id === catalog.defaultId) ?? catalog.models[0];
  if (!first) {
    setStatus({ phase: 'no-models' });
    return;
  }
  useSettingsStore.getState().selectModel(first.id);
}

// Every model choice (start-up, settings panel) loads that model in the worker.
useSettingsStore.subscribe((state, previous) => {
  if (state.modelId && state.modelId !== previous.modelId) loadModel(state.modelId);
});

/** Retries whatever failed last: the model list, or loading the selected model. */
export function retryModel(): void {
  const { modelId } = useSettingsStore.getState();
  if (modelId) loadModel(modelId);
  else void startCaptioner();
}

export function addPhotos(files: readonly File[]): void {
  if (files.length === 0) return;
  useJobsStore.getState().addFiles(files);
  pumpQueue();
}

export function removePhoto(jobId: string): void {
  const job = findJob(jobId);
  if (job && isInFlight(job)) post({ type: 'cancel', jobId });
  useJobsStore.getState().removeJob(jobId);
  pumpQueue();
}

export function clearFinishedPhotos(): void {
  useJobsStore.getState().clearFinished();
}
