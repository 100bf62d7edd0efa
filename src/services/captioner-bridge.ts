/**
 * The only code that talks to the captioner workers (through captioner-pool.ts): UI components call
 * these actions and read the zustand stores, which this module keeps in sync with the workers' events.
 */
import {
  errorMessage,
  type Caption,
  type DetectedObject,
  type JobDoneEvent,
  type JobFailedEvent,
  type Picture,
  type WorkerEvent,
} from '../worker/protocol';
import { parseThreadsParameter } from '../worker/wasm-threads';
import { currentBackendPreference, useBackendSettingStore } from '../store/backend-setting';
import { doneState, findJob, isPending, useJobsStore, type AddedFile, type PhotoJob } from '../store/jobs';
import { parseModelList, type ModelList } from '../captioner/model-list';
import { isModelKept, saveDataOn } from './metered';
import { useModelStore } from '../store/model';
import { currentCaptionLanguage, startingModelId } from '../store/language-setting';
import { readPhotoDescription } from './photo-description';
import { keepWhileArriving } from './photo-queue';
import { readPhoto } from './read-photo';
import { holdResultDetails } from './saved-results';
import { currentCaptionSettings, useSettingsStore } from '../store/settings';
import { CaptionerPool, type WorkerCrash } from './captioner-pool';

/** A camera frame that is not ready yet (video still starting) is asked for again after this long. */
const FRAME_RETRY_MS = 100;

const pool = new CaptionerPool({ onEvent: handleWorkerEvent, onCrash: handleWorkerCrash, onHelperReady: () => pumpQueue() });
/** Counts worker restarts, so a photo decoded for a crashed worker is not sent twice. */
let workerGeneration = 0;
/** Photos that were in the worker when it crashed. */
const jobsInCrashedWorkers = new Set<string>();

/** Registered by the live camera (see setFrameSource); null while it is off or paused. */
export interface FrameSource {
  /** The video's newest frame, or null when it has none yet. */
  grabFrame(): Promise<Picture | null>;
  onCaptioned(frame: { captions: Caption[]; objects: DetectedObject[] | null; grabbedAt: number; captionedAt: number }): void;
  onFailed(message: string): void;
}

let frameSource: FrameSource | null = null;
/** At most one camera frame is in the worker: the next one is grabbed when it is done, so none queue up. */
let frameInFlight: { id: string; grabbedAt: number; posted: boolean } | null = null;
let nextFrameNumber = 1;

function isInFlight(job: PhotoJob): boolean {
  return job.state.kind === 'reading' || job.state.kind === 'captioning';
}

/** Photos held by a crashed worker wait for another, except one held during an earlier crash too, which is likely the cause. */
function requeueAfterCrash(jobsHeld: readonly PhotoJob[], message: string): void {
  const { setJobState } = useJobsStore.getState();
  for (const job of jobsHeld) {
    if (jobsInCrashedWorkers.has(job.id)) setJobState(job.id, { kind: 'failed', message });
    else setJobState(job.id, { kind: 'waiting' });
    jobsInCrashedWorkers.add(job.id);
  }
}

function handleWorkerCrash(crash: WorkerCrash): void {
  const message = `The captioning worker stopped: ${crash.message || 'it could not start'}.`;
  const { jobs, setJobState } = useJobsStore.getState();
  if (crash.helper) {
    // The other workers carry on; the helper's photos go to them.
    requeueAfterCrash(jobs.filter((job) => crash.jobIds.includes(job.id)), message);
    pumpQueue();
    return;
  }
  frameInFlight = null;
  workerGeneration++;
  const { modelId } = useSettingsStore.getState();
  if (useModelStore.getState().status.phase !== 'ready' || !modelId) {
    // It failed while starting, so starting another would fail too: Retry starts a new one.
    jobs.filter(isInFlight).forEach((job) => setJobState(job.id, { kind: 'failed', message }));
    useModelStore.getState().setStatus({ phase: 'error', modelId, message });
    return;
  }
  // It crashed while captioning: a new worker takes over and the photos in flight wait for it.
  requeueAfterCrash(jobs.filter(isInFlight), message);
  loadModel(modelId);
}

function modelVersion(modelId: string): string | null {
  return useModelStore.getState().catalog.find((entry) => entry.id === modelId)?.version ?? null;
}

function modelUrl(modelId: string): string {
  const version = modelVersion(modelId);
  const folder = version ? `${encodeURIComponent(modelId)}/${encodeURIComponent(version)}` : encodeURIComponent(modelId);
  return new URL(`models/${folder}/`, document.baseURI).href;
}

/** The language of the model that captions now: its card's (photos are only sent once it is ready). */
function readyModelLanguage(): string {
  const { status } = useModelStore.getState();
  return status.phase === 'ready' ? status.model.language : currentCaptionLanguage();
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
      setStatus({
        phase: 'ready',
        model: event.model,
        backend: event.backend,
        note: event.note,
        backendReason: event.backendReason,
        modelOrigin: event.modelOrigin,
        downloadedBytes: event.downloadedBytes,
        wasmThreads: event.wasmThreads,
      });
      // For `npm run bench` and devtools: navigation → ready, on the page's own clock.
      performance.mark('model-ready');
      pumpQueue();
      return;
    case 'model-error':
      if (isCurrentModel(event.modelId)) setStatus({ phase: 'error', modelId: event.modelId, message: event.message });
      return;
    case 'job-thumbnail':
      if (findJob(event.jobId) && !findJob(event.jobId)?.thumbnail) useJobsStore.getState().setThumbnail(event.jobId, event.thumbnail);
      return;
    case 'job-started':
      if (findJob(event.jobId)) setJobState(event.jobId, { kind: 'captioning', beam: null });
      return;
    case 'job-hypotheses':
      if (findJob(event.jobId)) setJobState(event.jobId, { kind: 'captioning', beam: event.beam });
      return;
    case 'job-done':
      if (settleFrame(event)) return;
      if (findJob(event.jobId)) {
        const details = { captions: event.captions, objects: event.objects, elapsedMs: event.elapsedMs };
        holdResultDetails(event.jobId, details);
        setJobState(event.jobId, doneState(details));
      }
      pumpQueue();
      return;
    case 'job-failed':
      if (settleFrame(event)) return;
      if (findJob(event.jobId)) setJobState(event.jobId, { kind: 'failed', message: event.message });
      pumpQueue();
      return;
    case 'job-cancelled':
      // Its slot is free now (the photo itself left the list when it was cancelled).
      pumpQueue();
      return;
  }
}

function loadModel(modelId: string): void {
  useModelStore.getState().setStatus({ phase: 'downloading', modelId, loadedBytes: 0, totalBytes: null });
  pool.loadModel({
    type: 'load-model',
    modelId,
    url: modelUrl(modelId),
    versioned: modelVersion(modelId) !== null,
    storedByPool: false,
    ...currentBackendPreference(),
    pinnedThreads: parseThreadsParameter(location.search),
  });
}

/** Only a versioned package is read from the model cache before the network (see worker/model-cache.ts). */
async function loadsFromCache(modelId: string): Promise<boolean> {
  return modelVersion(modelId) !== null && (await isModelKept(modelUrl(modelId)));
}

/** Loads the model; with Data Saver on, first asks (status 'asking') unless the browser keeps this version already. */
async function loadOrAsk(modelId: string): Promise<void> {
  if (saveDataOn() && !(await loadsFromCache(modelId))) {
    const bytes = useModelStore.getState().catalog.find((entry) => entry.id === modelId)?.bytes ?? null;
    if (isCurrentModel(modelId)) useModelStore.getState().setStatus({ phase: 'asking', modelId, bytes });
    return;
  }
  if (isCurrentModel(modelId)) loadModel(modelId);
}

/** The user's go-ahead for the download that Data Saver held back. */
export function downloadModel(): void {
  const { status } = useModelStore.getState();
  if (status.phase === 'asking') loadModel(status.modelId);
}

/** Decodes the photo on the main thread (createImageBitmap is asynchronous) and hands it over; the worker sends its thumbnail back. */
async function sendJob(jobId: string, file: File): Promise<void> {
  const { setJobState, setSettings } = useJobsStore.getState();
  setJobState(jobId, { kind: 'reading' });
  // Alongside the decoding; the card shows the photo's own description when it is read.
  void readPhotoDescription(file).then((description) => {
    if (description !== null && findJob(jobId)) useJobsStore.getState().setDescription(jobId, description.text, description.machineWriter);
  });
  const generation = workerGeneration;
  let bitmap: ImageBitmap;
  try {
    const readStart = performance.now();
    bitmap = await readPhoto(file);
    // For `npm run bench` (a PerformanceObserver there sees it): the page thread's share of a photo.
    // Not left in the timeline, which would grow by an entry per photo over a library of thousands.
    performance.measure('read-photo', { start: readStart, detail: jobId });
    performance.clearMeasures('read-photo');
  } catch (error) {
    setJobState(jobId, { kind: 'failed', message: errorMessage(error) });
    pumpQueue();
    return;
  }
  if (!findJob(jobId) || generation !== workerGeneration) {
    bitmap.close(); // removed while decoding, or queued again after a worker crash
    pumpQueue();
    return;
  }
  const settings = currentCaptionSettings();
  setSettings(jobId, { ...settings, modelId: useSettingsStore.getState().modelId ?? '', language: readyModelLanguage() });
  pool.postPhoto({ type: 'caption', jobId, picture: bitmap, settings, streamHypotheses: true, wantThumbnail: true, liveFrame: false }, frameSource !== null);
}

/**
 * Starts waiting jobs while the pool has slots for them (photos being read count), starts the pool's
 * helpers when photos are left waiting, and sends the live camera's next frame. While the camera is
 * live the first worker serves it, and photos go to the helpers; with none, one photo is in flight: a
 * worker runs requests in arrival order, so photos and frames then take turns and neither starves.
 */
function pumpQueue(): void {
  if (useModelStore.getState().status.phase !== 'ready') return;
  const { jobs } = useJobsStore.getState();
  const slots = pool.photoSlots(frameSource !== null);
  let inFlight = jobs.filter(isInFlight).length;
  for (const job of jobs) {
    if (job.state.kind !== 'waiting' || !job.file) continue;
    if (inFlight >= slots) {
      pool.grow();
      break;
    }
    inFlight++;
    void sendJob(job.id, job.file);
  }
  if (frameSource && !frameInFlight) void sendFrame(frameSource);
}

/** Grabs the frame only now, when it can be sent: the caption always describes the newest frame. */
async function sendFrame(source: FrameSource): Promise<void> {
  const frame = { id: `frame-${nextFrameNumber++}`, grabbedAt: performance.now(), posted: false };
  frameInFlight = frame;
  const picture = await source.grabFrame().catch(() => null);
  if (frameInFlight !== frame) {
    picture?.close(); // the camera stopped while grabbing
    return;
  }
  if (!picture) {
    frameInFlight = null;
    setTimeout(pumpQueue, FRAME_RETRY_MS);
    return;
  }
  pool.postToFirst({ type: 'caption', jobId: frame.id, picture, settings: currentCaptionSettings(), streamHypotheses: false, wantThumbnail: false, liveFrame: true }, [picture]);
  frame.posted = true;
}

/** Hands a camera frame's outcome to the camera; false when the event is about a photo. */
function settleFrame(event: JobDoneEvent | JobFailedEvent): boolean {
  if (event.jobId !== frameInFlight?.id) return false;
  const { grabbedAt } = frameInFlight;
  frameInFlight = null;
  if (event.type === 'job-done') frameSource?.onCaptioned({ captions: event.captions, objects: event.objects, grabbedAt, captionedAt: performance.now() });
  else frameSource?.onFailed(event.message);
  pumpQueue();
  return true;
}

/** The live camera registers itself, or unregisters (null) when stopped or paused; a frame in flight is then given up. */
export function setFrameSource(source: FrameSource | null): void {
  if (frameInFlight && source !== frameSource) {
    if (frameInFlight.posted) pool.postToFirst({ type: 'cancel', jobId: frameInFlight.id });
    frameInFlight = null;
  }
  frameSource = source;
  pumpQueue();
}

/** Reads models.json and loads the default model. Call once at start-up. */
export async function startCaptioner(): Promise<void> {
  const { setCatalog, setStatus } = useModelStore.getState();
  setStatus({ phase: 'listing' });
  let catalog: ModelList;
  try {
    const response = await fetch(new URL('models/models.json', document.baseURI));
    if (!response.ok) throw new Error(`models/models.json: HTTP ${response.status}`);
    catalog = parseModelList(await response.json());
  } catch (error) {
    setStatus({ phase: 'error', modelId: null, message: `Could not read the list of models (${errorMessage(error)}).` });
    return;
  }
  setCatalog(catalog);
  const first = startingModelId(catalog, navigator.languages);
  if (first === null) {
    setStatus({ phase: 'no-models' });
    return;
  }
  useSettingsStore.getState().selectModel(first);
}

// Every model choice (start-up, settings panel) loads that model in the worker.
useSettingsStore.subscribe((state, previous) => {
  if (state.modelId && state.modelId !== previous.modelId) void loadOrAsk(state.modelId);
});

// Forcing another backend in the settings loads the model again on it.
useBackendSettingStore.subscribe((state, previous) => {
  const { modelId } = useSettingsStore.getState();
  if (modelId && state.backend !== previous.backend) void loadOrAsk(modelId);
});

/** Retries whatever failed last: the model list, or loading the selected model. */
export function retryModel(): void {
  const { modelId } = useSettingsStore.getState();
  if (modelId) loadModel(modelId);
  else void startCaptioner();
}

/** Captions the photos restored from storage (photo-queue.ts), if the model is ready; else they wait for it. */
export function resumeQueue(): void {
  pumpQueue();
}

export function addPhotos(files: readonly AddedFile[]): void {
  if (files.length === 0) return;
  useJobsStore.getState().addFiles(files);
  pumpQueue();
}

/** Adds the photos of a drop once its folders are walked; a reload into isolation waits for them meanwhile. */
export function addPhotosWhenRead(reading: Promise<readonly AddedFile[]>): void {
  keepWhileArriving(reading.then(addPhotos));
}

function removePhotos(jobs: readonly PhotoJob[]): void {
  for (const job of jobs) if (isInFlight(job)) pool.cancelPhoto(job.id);
  useJobsStore.getState().removeJobs(jobs.map((job) => job.id));
  pumpQueue();
}

export function removePhoto(jobId: string): void {
  const job = findJob(jobId);
  if (job) removePhotos([job]);
}

/** Stops the queue: photos not captioned yet are dropped, finished ones stay. */
export function cancelQueue(): void {
  removePhotos(useJobsStore.getState().jobs.filter(isPending));
}

export function clearFinishedPhotos(): void {
  useJobsStore.getState().clearFinished();
}
