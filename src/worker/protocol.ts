/**
 * Messages between the UI (main thread) and the captioner worker. Everything here must survive
 * structuredClone, so only plain data (and the transferred ImageBitmap) is allowed.
 */
import type { BeamSearchOptions, Caption, CaptionUpdate, DetectedObject, ImageSize } from '../captioner';

export type { BeamSearchOptions, Caption, CaptionUpdate, DetectedObject, ImageSize } from '../captioner';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Also the order of fallbacks after the preferred one: WebGPU, only ever chosen on a GPU or pinned, comes last. */
export const BACKENDS: readonly BackendName[] = ['webgl', 'wasm', 'cpu', 'webgpu'];

export function isBackendName(value: unknown): value is BackendName {
  return BACKENDS.includes(value as BackendName);
}

/** 'auto' lets the worker pick the fastest backend for the device (src/worker/backend-choice.ts). */
export type BackendPreference = 'auto' | BackendName;

/** Who pinned the backend: the address (`?backend=`, used by tests) or the settings panel. */
export type BackendPreferenceOrigin = 'url' | 'settings';

/**
 * How one photo is captioned: the beam search, and whether object words are grounded in the detector's
 * objects. N-gram blocking is the model's own (card.json `search`), not a setting.
 */
export interface CaptionSettings extends Omit<BeamSearchOptions, 'noRepeatNgram'> {
  /** Only takes effect for models that can ground (ModelSummary.grounding === 'available'). */
  grounded: boolean;
}

/** Where a model's files came from on this load. */
export type ModelOrigin = 'network' | 'cache';

/** The Cache Storage the worker keeps model files in; the page asks it whether a model is kept (Data Saver). */
export const MODEL_CACHE = 'show-and-tell-models';

/** What the UI needs to know about a loaded model package (from its card.json). */
export interface ModelSummary {
  id: string;
  name: string;
  /** The language its captions are in (BCP 47, card.json `language`). */
  language: string;
  /** Generated test fixture: never to be presented as a real captioning model. */
  fixture: boolean;
  /** Whether the model lists detected objects (its encoder is a detector the graph exposes). */
  detectsObjects: boolean;
  /**
   * 'available': captions can be grounded in the detected objects; 'none': the model has no
   * detector; otherwise why a model with a detector cannot ground (e.g. objects.json is missing).
   */
  grounding: 'available' | 'none' | { problem: string };
  /** The encoder's input for live camera frames (card.json liveImage, else its image size): frames need no more pixels. */
  liveInput: ImageSize;
}

// ---- UI → worker -----------------------------------------------------------------------------

export interface LoadModelRequest {
  type: 'load-model';
  /**
   * Told apart from every other load of this worker (the pool counts them): the load's events carry it,
   * so those of an earlier load of the same model (on another backend, say) are told from this one's.
   */
  loadId: number;
  modelId: string;
  /** Absolute URL of the package folder, ending in '/'. */
  url: string;
  /** Backend to try first (e.g. pinned by `?backend=` for tests); the worker falls back if it fails. */
  preferredBackend: BackendPreference;
  preferenceOrigin: BackendPreferenceOrigin;
  /** The URL holds the package's content hash, so cached files can be used without asking the network. */
  versioned: boolean;
  /**
   * Another worker of the pool has just stored the package in the model cache: read it from there even
   * when the URL is not versioned, so the model is downloaded once however many workers load it.
   */
  storedByPool: boolean;
  /** WebAssembly threads asked for by `?threads=N` in the address; null: the worker decides. */
  pinnedThreads: number | null;
}

/**
 * What the worker captions: a decoded photo, or a camera frame (a VideoFrame straight from the
 * camera where the browser has MediaStreamTrackProcessor, else a bitmap of the video).
 */
export type Picture = ImageBitmap | VideoFrame;

export interface CaptionRequest {
  type: 'caption';
  jobId: string;
  /** Transferred, so the worker owns (and closes) it. */
  picture: Picture;
  /** The settings when the photo was sent, so changing them never affects a running job. */
  settings: CaptionSettings;
  /** Send the partial captions after every step (photos show them; camera frames only need the result). */
  streamHypotheses: boolean;
  /** Send a small JPEG of the photo first (photo cards and their storage; not camera frames). */
  wantThumbnail: boolean;
  /** A live camera frame: encoded at the model's live input size (ModelSummary.liveInput). */
  liveFrame: boolean;
}

export interface CancelRequest {
  type: 'cancel';
  jobId: string;
}

/** For tests: asks for a DiagnosticsEvent once the requests queued before it have run. */
export interface DiagnosticsRequest {
  type: 'diagnostics';
}

/** For tests: loses the WebGL context now (WEBGL_lose_context), as a GPU reset would. */
export interface LoseGpuContextRequest {
  type: 'lose-gpu-context';
}

export type WorkerRequest = LoadModelRequest | CaptionRequest | CancelRequest | DiagnosticsRequest | LoseGpuContextRequest;

// ---- worker → UI -----------------------------------------------------------------------------

export interface ModelProgressEvent {
  type: 'model-progress';
  /** The LoadModelRequest's. */
  loadId: number;
  modelId: string;
  loadedBytes: number;
  /** Sum of Content-Length of model.json and its shards; null while unknown. */
  totalBytes: number | null;
}

export interface ModelWarmingUpEvent {
  type: 'model-warming-up';
  /** The LoadModelRequest's. */
  loadId: number;
  modelId: string;
  backend: BackendName;
}

export interface ModelReadyEvent {
  type: 'model-ready';
  /** The LoadModelRequest's. */
  loadId: number;
  model: ModelSummary;
  backend: BackendName;
  /** Why a fallback backend runs instead of the preferred one; null when the preferred one runs. */
  note: string | null;
  /** Why this backend was chosen, e.g. "chosen automatically: WebGL here is emulated on the CPU …". */
  backendReason: string;
  modelOrigin: ModelOrigin;
  /** Bytes of the model downloaded for this load (0 from the cache). */
  downloadedBytes: number;
  /** The WebAssembly backend's threads; null when another backend runs. */
  wasmThreads: WasmThreads | null;
}

export interface WasmThreads {
  count: number;
  /** Why this many, e.g. "the page is not cross-origin isolated, so WebAssembly runs single-threaded". */
  reason: string;
}

export interface ModelErrorEvent {
  type: 'model-error';
  /** The LoadModelRequest's. */
  loadId: number;
  modelId: string;
  message: string;
}

export interface JobStartedEvent {
  type: 'job-started';
  jobId: string;
}

/** A small JPEG of the photo (src/worker/thumbnail.ts), made before it is captioned. */
export interface JobThumbnailEvent {
  type: 'job-thumbnail';
  jobId: string;
  thumbnail: Blob;
}

/** The live beam after every decoding step. */
export interface JobHypothesesEvent {
  type: 'job-hypotheses';
  jobId: string;
  beam: CaptionUpdate;
}

export interface JobDoneEvent {
  type: 'job-done';
  jobId: string;
  /** Best first, at most three. */
  captions: Caption[];
  /** What the encoder detected; null when the model exposes no detections. */
  objects: DetectedObject[] | null;
  /** Preprocessing + beam search in the worker, in milliseconds. */
  elapsedMs: number;
  /** Where elapsedMs went, for `npm run bench`. */
  stages: JobStages;
}

export interface JobStages {
  /** The card's thumbnail, made on the worker's thread before captioning (0 when none was asked for). */
  thumbnailMs: number;
  /** The transferred ImageBitmap → RGBA pixels (OffscreenCanvas). */
  pixelsMs: number;
  /** Pixels → the encoder's outputs read: preprocessing, encoder, detections. */
  encodeMs: number;
  /** Pixels → first partial captions: preprocessing, encoder and the first decoder step. */
  firstStepMs: number;
  /** The beam search, from the encoder's outputs to the final captions. */
  searchMs: number;
  /** Partial-caption messages posted to the page. */
  updatesPosted: number;
}

/** A cancelled photo's worker has stopped working on it (or never started): its slot is free. */
export interface JobCancelledEvent {
  type: 'job-cancelled';
  jobId: string;
}

export interface JobFailedEvent {
  type: 'job-failed';
  jobId: string;
  message: string;
}

/** tf.memory() of the worker; numBytesInGPU is null off WebGL. */
export interface MemorySummary {
  backend: string;
  numTensors: number;
  numBytes: number;
  numBytesInGPU: number | null;
  /** The WebAssembly backend's memory: it grows to the largest working set (the encoder's) and never shrinks; null off wasm. */
  wasmMemoryBytes: number | null;
}

/** The last image given to the model: its size and the mean brightness (0–1) of each quadrant. */
export interface ImageSummary {
  width: number;
  height: number;
  /** Top left, top right, bottom left, bottom right. */
  quadrantBrightness: [number, number, number, number];
}

export interface DiagnosticsEvent {
  type: 'diagnostics';
  memory: MemorySummary;
  lastImage: ImageSummary | null;
}

export type WorkerEvent =
  | ModelProgressEvent
  | ModelWarmingUpEvent
  | ModelReadyEvent
  | ModelErrorEvent
  | JobStartedEvent
  | JobThumbnailEvent
  | JobHypothesesEvent
  | JobDoneEvent
  | JobFailedEvent
  | JobCancelledEvent
  | DiagnosticsEvent;

/** A readable message for anything thrown, for error cards and the model status area. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return 'unknown error';
}
