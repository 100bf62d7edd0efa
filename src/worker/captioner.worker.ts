/// <reference lib="webworker" />
/**
 * The captioner worker: all TensorFlow.js work happens here, so the page never stalls. Requests run
 * one at a time in arrival order (model loads and caption jobs alike); cancellation is immediate.
 */
import { loadCaptioner, type Captioner, type RgbaImage } from '../captioner';
import { startBackend, type StartedBackend } from './backend';
import { fetchGraphModel, fetchText } from './fetch-model';
import {
  errorMessage,
  type BackendName,
  type CaptionRequest,
  type LoadModelRequest,
  type WorkerEvent,
  type WorkerRequest,
} from './protocol';

declare const self: DedicatedWorkerGlobalScope;

/** Captions shown per photo, as in the tutorial. */
const CAPTIONS_SHOWN = 3;

/** Download progress is posted at most this often, so a fast download does not flood the UI. */
const PROGRESS_INTERVAL_MS = 100;

/** Small blank photo captioned once after loading: compiles the GPU programs before the first real photo. */
const WARM_UP_IMAGE: RgbaImage = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 4).fill(128) };

let captioner: Captioner | null = null;
let backendStart: { preferred: BackendName; started: Promise<StartedBackend> } | null = null;
const cancelledJobs = new Set<string>();
let taskChain: Promise<void> = Promise.resolve();

class JobCancelled extends Error {}

function emit(event: WorkerEvent): void {
  self.postMessage(event);
}

/** The backend is chosen once per worker; a failed start is retried on the next load. */
function ensureBackend(preferred: BackendName): Promise<StartedBackend> {
  if (!backendStart || backendStart.preferred !== preferred) {
    const started = startBackend(preferred);
    started.catch(() => {
      backendStart = null;
    });
    backendStart = { preferred, started };
  }
  return backendStart.started;
}

function throttledProgress(modelId: string): (loadedBytes: number, totalBytes: number | null) => void {
  let lastPost = -Infinity;
  return (loadedBytes, totalBytes) => {
    const now = performance.now();
    if (now - lastPost < PROGRESS_INTERVAL_MS && loadedBytes !== totalBytes) return;
    lastPost = now;
    emit({ type: 'model-progress', modelId, loadedBytes, totalBytes });
  };
}

async function loadModel({ modelId, url, preferredBackend }: LoadModelRequest): Promise<void> {
  captioner?.dispose();
  captioner = null;
  try {
    const { backend, note } = await ensureBackend(preferredBackend);
    const onProgress = throttledProgress(modelId);
    const loaded = await loadCaptioner({
      model: { load: () => fetchGraphModel(url, onProgress) },
      readText: (fileName) => fetchText(new URL(fileName, url).href),
    });
    emit({ type: 'model-warming-up', modelId, backend });
    await loaded.caption(WARM_UP_IMAGE, { maxLength: 3 });
    captioner = loaded;
    const { name, fixture } = loaded.card;
    emit({ type: 'model-ready', model: { id: modelId, name, fixture }, backend, note });
  } catch (error) {
    emit({ type: 'model-error', modelId, message: `The model “${modelId}” could not be loaded: ${errorMessage(error)}` });
  }
}

function bitmapToRgba(bitmap: ImageBitmap): RgbaImage {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('this browser cannot read image pixels in a worker (no OffscreenCanvas 2D)');
  context.drawImage(bitmap, 0, 0);
  const { width, height, data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
  return { width, height, data };
}

async function captionJob({ jobId, bitmap, settings }: CaptionRequest): Promise<void> {
  try {
    if (cancelledJobs.has(jobId)) return;
    if (!captioner) throw new Error('no model is loaded');
    emit({ type: 'job-started', jobId });
    const startedAt = performance.now();
    const image = bitmapToRgba(bitmap);
    bitmap.close();
    const captions = await captioner.caption(image, settings, (beam) => {
      // Throwing from the update stops the search; it frees its own tensors on the way out.
      if (cancelledJobs.has(jobId)) throw new JobCancelled();
      emit({ type: 'job-hypotheses', jobId, beam });
    });
    emit({ type: 'job-done', jobId, captions: captions.slice(0, CAPTIONS_SHOWN), elapsedMs: performance.now() - startedAt });
  } catch (error) {
    if (!(error instanceof JobCancelled)) emit({ type: 'job-failed', jobId, message: `Captioning failed: ${errorMessage(error)}` });
  } finally {
    bitmap.close();
    cancelledJobs.delete(jobId);
  }
}

/** Tasks never reject (they report their own errors), so one failure never stops the queue. */
function enqueue(task: () => Promise<void>): void {
  taskChain = taskChain.then(task);
}

self.addEventListener('message', (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  switch (request.type) {
    case 'load-model':
      enqueue(() => loadModel(request));
      return;
    case 'caption':
      enqueue(() => captionJob(request));
      return;
    case 'cancel':
      cancelledJobs.add(request.jobId);
      return;
  }
});
