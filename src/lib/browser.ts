/**
 * The package's browser API (`import { createCaptioner, fillMissingAlt } from 'show-and-tell-browser/browser'`):
 * a module Web Worker (the app's own, src/worker) runs the model; this module only talks to it.
 *
 *   const captioner = await createCaptioner();
 *   const { captions } = await captioner.caption(file);
 *   input.value = captions[0].sentence;
 *
 * The model and the worker's WebAssembly files are served from the package's own folder (found from
 * this module's URL), so no request goes to another host.
 */
import { DEFAULT_BEAM_SEARCH_OPTIONS } from '../captioner/beam-search';
import { BrokenModelError } from '../captioner/errors';
import { DEFAULT_CAPTION_LANGUAGE, languageDefaultModel, languageList, modelLanguages } from '../captioner/language';
import { parseModelList } from '../captioner/model-list';
import { readPhoto, releasePhoto } from '../services/read-photo';
import { errorMessage, transferList, type CaptionRequest, type LoadModelRequest, type ModelReadyEvent, type PhotoFile, type WorkerEvent } from '../worker/protocol';
import { startCaptionerWorker } from '../worker/start-worker';
import { MAX_PINNED_THREADS } from '../worker/wasm-threads';
import type { CaptionedPhoto, PartialCaptions } from './result';
import { captionedPhoto, partialCaptions } from './to-result';

export { BrokenModelError, CaptionError, DamagedImageError, NotAnImageError, TruncatedImageError, UnsupportedFormatError } from '../captioner/errors';
export type { CaptionErrorCode } from '../captioner/errors';
export type { CaptionedPhoto, CaptionLine, DetectedObjectBox, PartialCaptions } from './result';

/** The tfjs backends of the browser (the worker's BackendName), spelled here so that the package's types stand alone. */
export type BrowserBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/**
 * The folder that holds `models/` (the package's `lib/`): this module sits in `lib/browser/`. A
 * variable, so that bundlers leave the URL alone (they would try to bundle a folder).
 */
const PACKAGE_ASSETS = '../';
/**
 * This module's URL, read on its own: webpack takes `new URL(variable, import.meta.url)` for a folder
 * to bundle (a build warning, and a throw at run time), whereas a lone import.meta.url becomes the
 * module's file: URL on the build machine, which assetsFolder turns into an error asking for assetsBase.
 */
const MODULE_URL = import.meta.url;

export interface CreateCaptionerOptions {
  /**
   * Where the package's `models/` folder is served (default: next to this module, as installed).
   * Set it when a bundler moved this module away from the package's files, or to use a CDN path.
   */
  assetsBase?: string | URL;
  /** A model id under `<assetsBase>models/` (default: that folder's models.json "default"). */
  model?: string;
  /**
   * The caption language (BCP 47, e.g. "de"): without `model`, that language's default model in
   * models.json (a language no model has rejects with a RangeError listing those there are).
   */
  language?: string;
  /** 'auto' (default): WebGPU or WebGL on a real GPU, else WebAssembly, as the app chooses. */
  backend?: 'auto' | BrowserBackend;
  /** WebAssembly threads (1–8) on a cross-origin isolated page (default: half the cores, at most 4); one thread elsewhere. */
  threads?: number;
}

export interface BrowserCaptionOptions {
  beamSize?: number;
  maxLength?: number;
  lengthNormalizationFactor?: number;
  /** Ground object words in what the detector saw (default true, for models that can). */
  grounding?: boolean;
  /** Called as the search goes with the partial captions, best first (at most every 100 ms). */
  onPartial?: (partial: PartialCaptions) => void;
}

/** A photo: a file or blob, a decoded bitmap, an image element of the page, or an image's URL. */
export type BrowserCaptionInput = Blob | ImageBitmap | HTMLImageElement | string | URL;

export interface BrowserModelInfo {
  id: string;
  name: string;
  /** The language its captions are in (card.json's, BCP 47). */
  language: string;
  backend: BrowserBackend;
  /** Why this backend, in one sentence. */
  backendReason: string;
  /** WebAssembly threads; null on another backend. */
  wasmThreads: number | null;
  /** Why a model with a detector cannot ground its captions; null when it can or has no detector. */
  groundingProblem: string | null;
}

export interface BrowserCaptioner {
  readonly model: BrowserModelInfo;
  /** Captions one photo; photos given at once are captioned one after the other. */
  caption(input: BrowserCaptionInput, options?: BrowserCaptionOptions): Promise<CaptionedPhoto>;
  /** Stops the worker; pending captions fail. */
  dispose(): void;
}

interface PendingJob {
  onPartial?: (partial: PartialCaptions) => void;
  resolve: (photo: CaptionedPhoto) => void;
  reject: (error: Error) => void;
}

/** Whatever was given, as the app's readPhoto readies a photo for the worker (which decodes and shrinks it). */
async function toPhoto(input: BrowserCaptionInput): Promise<PhotoFile | ImageBitmap> {
  // A bitmap is copied: the worker takes (and closes) what it is sent, and the caller's stays theirs.
  if (typeof ImageBitmap !== 'undefined' && input instanceof ImageBitmap) return createImageBitmap(input);
  if (input instanceof Blob) return readPhoto(input);
  // An <img> is read from its file, as the app and the CLI read photos (so all three give the same captions).
  const url = typeof HTMLImageElement !== 'undefined' && input instanceof HTMLImageElement ? input.currentSrc || input.src : String(input);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`${url} cannot be read (a cross-origin image needs CORS; the network may be down): ${errorMessage(error)}`);
  }
  if (!response.ok) throw new Error(`${url} cannot be read (HTTP ${response.status})`);
  return readPhoto(await response.blob());
}

function readyModel(event: ModelReadyEvent): BrowserModelInfo {
  const { model, backend, backendReason, wasmThreads } = event;
  const groundingProblem = typeof model.grounding === 'object' ? model.grounding.problem : null;
  return { id: model.id, name: model.name, language: model.language, backend, backendReason, wasmThreads: wasmThreads?.count ?? null, groundingProblem };
}

/** The assets folder's URL: the given one (relative to the page, a trailing / implied), else the package's. */
function assetsFolder(assetsBase: string | URL | undefined): URL {
  if (assetsBase === undefined) {
    const folder = new URL(PACKAGE_ASSETS, MODULE_URL);
    // A page cannot read file: URLs: rejected here rather than by a fetch that the browser blocks.
    if (folder.protocol === 'file:' && location.protocol !== 'file:') {
      throw new BrokenModelError(`this module's URL is ${MODULE_URL}, its place on the machine that bundled it (webpack does that), which the page cannot read: set assetsBase to where the package's lib/ folder is served`);
    }
    return folder;
  }
  const folder = new URL(assetsBase, location.href);
  if (!folder.pathname.endsWith('/')) folder.pathname += '/';
  return folder;
}

/** models.json's default model, or with `language` that language's default model. */
async function defaultModelId(modelsUrl: URL, language: string | undefined): Promise<string> {
  const listUrl = new URL('models.json', modelsUrl);
  const response = await fetch(listUrl).catch(() => null);
  if (!response?.ok) throw new BrokenModelError(`${listUrl} cannot be read${response ? ` (HTTP ${response.status})` : ''}: set assetsBase to where the package's lib/ folder is served`);
  const list = parseModelList(await response.json());
  if (language !== undefined) {
    const model = languageDefaultModel(list, language);
    if (!model) throw new RangeError(`no model in ${listUrl} captions in "${language}"; the languages there are: ${languageList(modelLanguages(list))}`);
    return model.id;
  }
  if (!list.default) throw new BrokenModelError(`${listUrl} names no default model`);
  return list.default;
}

/** Starts the captioner worker and loads the model; a model that cannot load rejects with BrokenModelError. */
export async function createCaptioner(options: CreateCaptionerOptions = {}): Promise<BrowserCaptioner> {
  const { threads = null } = options;
  if (threads !== null && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_PINNED_THREADS)) {
    throw new RangeError(`threads must be an integer from 1 to ${MAX_PINNED_THREADS}, got ${threads}`);
  }
  const modelsUrl = new URL('models/', assetsFolder(options.assetsBase));
  const modelId = options.model ?? (await defaultModelId(modelsUrl, options.language));
  const worker = startCaptionerWorker('show-and-tell-captioner');
  const jobs = new Map<string, PendingJob>();
  let nextJob = 0;
  let stopped: Error | null = null;

  const stop = (error: Error) => {
    stopped ??= error;
    worker.terminate();
    for (const job of jobs.values()) job.reject(error);
    jobs.clear();
  };

  // The loaded model's (its card's); captions come only after it is ready.
  let language = DEFAULT_CAPTION_LANGUAGE;
  const model = await new Promise<BrowserModelInfo>((resolve, reject) => {
    worker.addEventListener('message', ({ data: event }: MessageEvent<WorkerEvent>) => {
      switch (event.type) {
        case 'model-ready':
          language = event.model.language;
          return resolve(readyModel(event));
        case 'model-error':
          stop(new BrokenModelError(event.message));
          return reject(stopped);
        case 'job-hypotheses':
          return jobs.get(event.jobId)?.onPartial?.(partialCaptions(event.beam, language));
        case 'job-done': {
          const job = jobs.get(event.jobId);
          jobs.delete(event.jobId);
          return job?.resolve(captionedPhoto(event, event.imageSize.width, event.imageSize.height, language));
        }
        case 'job-failed': {
          const job = jobs.get(event.jobId);
          jobs.delete(event.jobId);
          return job?.reject(new Error(event.message));
        }
      }
    });
    worker.addEventListener('error', (event) => {
      stop(new Error(`the captioner's worker stopped: ${event.message || 'it could not start (is the worker script served, and allowed by the page\'s Content-Security-Policy?)'}`));
      reject(stopped);
    });
    const request: LoadModelRequest = {
      type: 'load-model',
      // This captioner loads its model once: one load id is enough to tell its messages apart.
      loadId: 1,
      modelId,
      url: new URL(`${modelId}/`, modelsUrl).href,
      preferredBackend: options.backend ?? 'auto',
      preferenceOrigin: 'settings',
      versioned: false,
      storedByPool: false,
      pinnedThreads: threads,
    };
    worker.postMessage(request);
  });

  return {
    model,
    async caption(input, { onPartial, grounding = true, ...search } = {}) {
      if (stopped) throw stopped;
      const picture = await toPhoto(input);
      if (stopped) {
        releasePhoto(picture);
        throw stopped;
      }
      const jobId = String(nextJob++);
      const request: CaptionRequest = {
        type: 'caption',
        jobId,
        picture,
        settings: { ...DEFAULT_BEAM_SEARCH_OPTIONS, ...search, grounded: grounding },
        streamHypotheses: onPartial !== undefined,
        wantThumbnail: false,
        liveFrame: false,
      };
      return new Promise((resolve, reject) => {
        jobs.set(jobId, { onPartial, resolve, reject });
        worker.postMessage(request, transferList(request));
      });
    },
    dispose() {
      stop(new Error('this captioner was disposed'));
    },
  };
}

/** What fillMissingAlt did with one image. */
export type AltTextOutcome =
  | { image: HTMLImageElement; status: 'filled'; alt: string }
  | { image: HTMLImageElement; status: 'skipped'; reason: string };

export interface FillMissingAltOptions extends CreateCaptionerOptions, Omit<BrowserCaptionOptions, 'onPartial'> {
  /** A captioner to use (and keep); without one, a captioner is made for the call and disposed after. */
  captioner?: BrowserCaptioner;
  /** Called as each image is done. */
  onImage?: (outcome: AltTextOutcome) => void;
}

/**
 * Gives every <img> under `root` that has no alt attribute the best caption as a sentence, marked
 * data-alt-source="machine". Alt text a person wrote is left alone, and so is alt="" (decorative on
 * purpose). An image that cannot be read (cross-origin without CORS, broken) is skipped with a
 * console note. Resolves to what it did with each image, in document order.
 */
export async function fillMissingAlt(root: ParentNode = document, options: FillMissingAltOptions = {}): Promise<AltTextOutcome[]> {
  const images = Array.from(root.querySelectorAll<HTMLImageElement>('img:not([alt])'));
  if (images.length === 0) return [];
  const { captioner: given, onImage, assetsBase, model, language, backend, threads, ...captionOptions } = options;
  const captioner = given ?? (await createCaptioner({ assetsBase, model, language, backend, threads }));
  const outcomes: AltTextOutcome[] = [];
  try {
    for (const image of images) {
      let outcome: AltTextOutcome;
      try {
        const best = (await captioner.caption(image, captionOptions)).captions[0];
        if (!best) throw new Error('the model gave no caption');
        // Someone (a person, a script) may have given it alt text meanwhile: theirs stays.
        if (image.hasAttribute('alt')) {
          outcome = { image, status: 'skipped', reason: 'it was given alt text meanwhile' };
        } else {
          image.alt = best.sentence;
          image.dataset.altSource = 'machine';
          outcome = { image, status: 'filled', alt: best.sentence };
        }
      } catch (error) {
        outcome = { image, status: 'skipped', reason: errorMessage(error) };
        console.info(`show-and-tell-browser: no alt text for ${image.currentSrc || image.src}: ${outcome.reason}`);
      }
      outcomes.push(outcome);
      onImage?.(outcome);
    }
  } finally {
    if (!given) captioner.dispose();
  }
  return outcomes;
}

/**
 * <show-and-tell-alt> (or the name given): fills the missing alt text of the images inside it when it
 * is added to the page, as fillMissingAlt(element) does. Its `assets-base` attribute sets assetsBase.
 */
export function defineAltTextElement(name = 'show-and-tell-alt'): void {
  if (customElements.get(name)) return;
  customElements.define(
    name,
    class extends HTMLElement {
      /** Resolves to what it did, once the images inside are done. */
      done: Promise<AltTextOutcome[]> = Promise.resolve([]);

      connectedCallback(): void {
        this.done = fillMissingAlt(this, { assetsBase: this.getAttribute('assets-base') ?? undefined });
        void this.done.then((outcomes) => this.dispatchEvent(new CustomEvent('alt-filled', { detail: outcomes })));
      }
    },
  );
}
