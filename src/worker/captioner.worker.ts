/// <reference lib="webworker" />
/**
 * The captioner worker: all TensorFlow.js work happens here, so the page never stalls. Requests run
 * one at a time in arrival order (model loads and caption jobs alike); cancellation is immediate.
 */
import { liveFrameOptions, loadCaptioner, type Captioner, type CaptionResult, type RgbaImage } from '../captioner';
import { startBackend, type StartedBackend } from './backend';
import { chooseBackend, detectWebgl, detectWebgpu } from './backend-choice';
import { planWasmThreads } from './wasm-threads';
import { summarizeImage, summarizeMemory } from './diagnostics';
import { fetchGraphModel, fetchText } from './fetch-model';
import { ModelFileLoader } from './model-cache';
import { makeThumbnail } from './thumbnail';
import { picturePixels } from './picture-pixels';
import { photoForModel } from './photo-decoding';
import { DamagedImageError } from '../captioner/errors';
import { GpuContextLost, isGpuContextLost, replaceLostWebglBackend, simulateGpuContextLoss, whileGpuContextHolds } from './gpu-context';
import {
  errorMessage,
  type CaptionSettings,
  type CaptionUpdate,
  type ImageSummary,
  type CaptionRequest,
  type LoadModelRequest,
  type CaptionInput,
  type ImageSize,
  type Picture,
  isPhotoFile,
  type WorkerEvent,
  type WorkerRequest,
} from './protocol';

declare const self: DedicatedWorkerGlobalScope;

/** Captions shown per photo, as in the tutorial. */
const CAPTIONS_SHOWN = 3;

/** Partial captions are posted at most this often (the first at once): enough to watch the search. */
const HYPOTHESES_INTERVAL_MS = 100;

/** Download progress is posted at most this often, so a fast download does not flood the UI. */
const PROGRESS_INTERVAL_MS = 100;

/** Small blank photo captioned once after loading: compiles the GPU programs before the first real photo. */
const WARM_UP_IMAGE: RgbaImage = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 4).fill(128) };

/** A job whose GPU context is lost again right after recovering fails instead of looping. */
const ATTEMPTS_PER_JOB = 2;

const CONTEXT_LOST_NOTE = 'The GPU (WebGL) context was lost, so the model was loaded again; no photo was lost.';

let captioner: Captioner | null = null;
/** Reloaded after a GPU context loss. */
let lastLoadRequest: LoadModelRequest | null = null;
let lastImageSeen: ImageSummary | null = null;
let backendStart: { preference: string; started: Promise<ChosenBackend> } | null = null;
const cancelledJobs = new Set<string>();
let taskChain: Promise<void> = Promise.resolve();

class JobCancelled extends Error {}

function emit(event: WorkerEvent): void {
  self.postMessage(event);
}

interface ChosenBackend extends StartedBackend {
  reason: string;
}

/** The backend is chosen once per worker and preference; a failed start is retried on the next load. */
function ensureBackend({ preferredBackend, preferenceOrigin, pinnedThreads }: LoadModelRequest): Promise<ChosenBackend> {
  const preference = `${preferredBackend} by ${preferenceOrigin}`;
  if (!backendStart || backendStart.preference !== preference) {
    const threads = planWasmThreads({ pinned: pinnedThreads, crossOriginIsolated: self.crossOriginIsolated, logicalCores: navigator.hardwareConcurrency || 1 });
    const started = (async () => {
      const webgpu = preferredBackend === 'auto' ? await detectWebgpu() : undefined;
      const { backend, reason } = chooseBackend(preferredBackend, preferenceOrigin, detectWebgl(), webgpu);
      return { ...(await startBackend(backend, threads)), reason };
    })();
    started.catch(() => {
      backendStart = null;
    });
    backendStart = { preference, started };
  }
  return backendStart.started;
}

function throttledProgress(loadId: number, modelId: string): (loadedBytes: number, totalBytes: number | null) => void {
  let lastPost = -Infinity;
  return (loadedBytes, totalBytes) => {
    const now = performance.now();
    if (now - lastPost < PROGRESS_INTERVAL_MS && loadedBytes !== totalBytes) return;
    lastPost = now;
    emit({ type: 'model-progress', loadId, modelId, loadedBytes, totalBytes });
  };
}

/** `recoveryNote` says why the model is loaded again, for the UI to show. */
async function loadModel(request: LoadModelRequest, recoveryNote: string | null = null): Promise<void> {
  const { loadId, modelId, url } = request;
  lastLoadRequest = request;
  const files = new ModelFileLoader(request.versioned || request.storedByPool);
  captioner?.dispose();
  captioner = null;
  try {
    if (isGpuContextLost()) {
      await replaceLostWebglBackend();
      backendStart = null;
    }
    const { backend, note, reason, wasmThreads } = await ensureBackend(request);
    const onProgress = throttledProgress(loadId, modelId);
    const loaded = await loadCaptioner({
      model: { load: () => fetchGraphModel(url, onProgress, files.fetch) },
      readText: (fileName) => fetchText(new URL(fileName, url).href, files.fetch),
    });
    await files.stored();
    void files.forgetOtherVersions(url);
    emit({ type: 'model-warming-up', loadId, modelId, backend });
    await whileGpuContextHolds(() => loaded.caption(WARM_UP_IMAGE, { maxLength: 3 }));
    captioner = loaded;
    const { name, language, fixture, detector, image, liveImage } = loaded.card;
    const notes = [recoveryNote, note].filter((text) => text !== null);
    const grounding = loaded.canGround ? 'available' : loaded.groundingProblem ? { problem: loaded.groundingProblem } : 'none';
    emit({
      type: 'model-ready',
      loadId,
      model: { id: modelId, name, language, fixture, detectsObjects: detector !== undefined, grounding, liveInput: liveImage ?? { height: image.height, width: image.width } },
      backend,
      note: notes.length > 0 ? notes.join(' ') : null,
      backendReason: reason,
      modelOrigin: files.origin,
      downloadedBytes: files.networkBytes,
      wasmThreads,
    });
  } catch (error) {
    // A damaged cached copy must not fail every later load too; a sound one is kept whatever else failed.
    void files.forgetIfDamaged(url, error);
    emit({ type: 'model-error', loadId, modelId, message: `The model “${modelId}” could not be loaded: ${errorMessage(error)}` });
  }
}

/**
 * What is captioned: a camera frame as it came (the camera service sized it); a photo decoded, or
 * shrunk, to what the model needs, here rather than on the page's thread.
 */
function pictureToCaption(input: CaptionInput, liveFrame: boolean, modelInput: ImageSize): Promise<Picture> {
  if (isPhotoFile(input) || (!liveFrame && input instanceof ImageBitmap)) return photoForModel(input, modelInput);
  return Promise.resolve(input);
}

async function captionJob({ jobId, picture: input, settings, streamHypotheses, wantThumbnail, liveFrame }: CaptionRequest): Promise<void> {
  // Closed however the job ends (closing twice does no harm): the picture sent, then the one captioned.
  let picture = isPhotoFile(input) ? null : input;
  try {
    if (cancelledJobs.has(jobId)) throw new JobCancelled();
    if (!captioner) throw new Error('no model is loaded');
    emit({ type: 'job-started', jobId });
    const decodeStartedAt = performance.now();
    picture = await pictureToCaption(input, liveFrame, captioner.card.image);
    const thumbnailStartedAt = performance.now();
    // A missing thumbnail only costs the card its picture.
    const thumbnail = wantThumbnail ? await makeThumbnail(picture).catch(() => null) : null;
    if (thumbnail) emit({ type: 'job-thumbnail', jobId, thumbnail });
    const startedAt = performance.now();
    const image = await picturePixels(picture);
    picture.close();
    lastImageSeen = summarizeImage(image);
    const pixelsAt = performance.now();
    let encodedAt = Number.NaN;
    let firstStepAt = Number.NaN;
    let updatesPosted = 0;
    let lastPostAt = -Infinity;
    const onEncoded = () => (encodedAt = performance.now());
    const { captions, objects } = await captionSurvivingContextLoss(image, settings, liveFrame, onEncoded, (beam) => {
      // Throwing from the update stops the search; it frees its own tensors on the way out.
      if (cancelledJobs.has(jobId)) throw new JobCancelled();
      const now = performance.now();
      if (beam.step === 1) firstStepAt = now;
      // Every message is a render on the page's thread, which shares the CPU with the model.
      if (!streamHypotheses || now - lastPostAt < HYPOTHESES_INTERVAL_MS) return;
      lastPostAt = now;
      updatesPosted++;
      emit({ type: 'job-hypotheses', jobId, beam });
    });
    const doneAt = performance.now();
    const stages = {
      decodeMs: thumbnailStartedAt - decodeStartedAt,
      thumbnailMs: startedAt - thumbnailStartedAt,
      pixelsMs: pixelsAt - startedAt,
      encodeMs: encodedAt - pixelsAt,
      firstStepMs: firstStepAt - pixelsAt,
      searchMs: doneAt - encodedAt,
      updatesPosted,
    };
    const imageSize = { width: image.width, height: image.height };
    emit({ type: 'job-done', jobId, captions: captions.slice(0, CAPTIONS_SHOWN), objects, imageSize, elapsedMs: doneAt - startedAt, stages });
  } catch (error) {
    // The pool frees the photo's slot only now, when this worker has let go of it.
    if (error instanceof JobCancelled) emit({ type: 'job-cancelled', jobId });
    // A photo the browser cannot decode: the message is the card's own, as when the page decoded photos.
    else if (error instanceof DamagedImageError) emit({ type: 'job-failed', jobId, message: error.message });
    else emit({ type: 'job-failed', jobId, message: `Captioning failed: ${errorMessage(error)}` });
  } finally {
    picture?.close();
    cancelledJobs.delete(jobId);
  }
}

/**
 * Captions the image (`onEncoded` marks the end of the encoder, for the job's stages); when the GPU
 * context is lost meanwhile, loads the model again and starts over.
 */
async function captionSurvivingContextLoss(
  image: RgbaImage,
  settings: CaptionSettings,
  liveFrame: boolean,
  onEncoded: () => void,
  onUpdate: (beam: CaptionUpdate) => void,
): Promise<CaptionResult> {
  const { grounded, ...search } = settings;
  for (let attempt = 1; ; attempt++) {
    const current = captioner;
    if (!current || !lastLoadRequest) throw new Error('no model is loaded');
    // A frame takes the model's live input size and search, over the person's settings (theirs are the photos').
    const { inputSize, grounding: frameGrounding, ...frameSearch } = liveFrame ? liveFrameOptions(current.card) : {};
    try {
      return await whileGpuContextHolds(async (throwIfLost) => {
        const photo = await current.encode(image, { inputSize });
        try {
          onEncoded();
          return await current.describe(photo, { ...search, ...frameSearch, grounding: grounded && (frameGrounding ?? true) }, (beam) => {
            throwIfLost();
            onUpdate(beam);
          });
        } finally {
          photo.dispose();
        }
      });
    } catch (error) {
      if (!(error instanceof GpuContextLost) || attempt === ATTEMPTS_PER_JOB) throw error;
      await loadModel(lastLoadRequest, CONTEXT_LOST_NOTE);
    }
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
    case 'diagnostics':
      enqueue(async () => emit({ type: 'diagnostics', memory: summarizeMemory(), lastImage: lastImageSeen }));
      return;
    case 'lose-gpu-context':
      simulateGpuContextLoss();
      return;
  }
});
