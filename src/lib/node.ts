/**
 * The package's Node API (`import { loadCaptioner } from 'show-and-tell-browser'`):
 *
 *   const captioner = await loadCaptioner();
 *   const { captions } = await captioner.caption('photo.jpg');
 *   console.log(captions[0].sentence);
 *
 * The CLI (src/cli) captions through it, one captioner per thread.
 */
import { readFile } from 'node:fs/promises';
import { loadCaptioner as loadModelCaptioner, type Captioner, type CaptionOptions as SearchOptions, type GroundingChoice, type RgbaImage } from '../captioner';
import { BrokenModelError } from '../captioner/errors';
import { decodePhoto } from '../node/decode-photo';
import { defaultModelDir } from '../node/default-model';
import { folderPackageFiles } from '../node/package-files';
import { initNodeBackend, type NodeBackend } from '../node/runtime';
import { captionedPhoto, partialCaptions, type CaptionedPhoto, type PartialCaptions } from './result';

export { BrokenModelError, CaptionError, DamagedImageError, NotAnImageError, TruncatedImageError, UnsupportedFormatError } from '../captioner/errors';
export type { CaptionErrorCode } from '../captioner/errors';
export type { CaptionedPhoto, CaptionLine, DetectedObjectBox, PartialCaptions } from './result';
export type { NodeBackend } from '../node/runtime';

export interface LoadCaptionerOptions {
  /** A model package folder (model.json, card.json, word_counts.txt…); default: the model shipped in the package. */
  model?: string;
  /** tfjs backend: 'wasm' (default, SIMD) or 'cpu' (plain JavaScript, slow); wasm falls back to cpu when it cannot start. */
  backend?: NodeBackend;
  /**
   * Captioning threads for captionMany(): each loads its own copy of the model. tfjs's WebAssembly
   * backend runs on one thread in Node, so N threads use N cores. Default 1 (the calling thread).
   */
  threads?: number;
}

export interface CaptionOptions {
  /** Beam width (default 3). */
  beamSize?: number;
  /** Longest caption in words, counting the start and end words (default 20). */
  maxLength?: number;
  /** Complete captions score logprob / length^x (default 0). */
  lengthNormalizationFactor?: number;
  /** Never repeat a sequence of n words (default: the model's; 0 = off). */
  noRepeatNgram?: number;
  /** Ground object words in what the detector saw: true (default, the model's settings), false, or the weight λ. */
  grounding?: boolean | number | Exclude<GroundingChoice, boolean>;
  /** Called after every step of the search with the partial captions, best first. */
  onPartial?: (partial: PartialCaptions) => void;
}

/** A photo: a file path, an encoded image's bytes (JPEG, PNG, GIF, WebP, BMP), or RGBA pixels. */
export type CaptionInput = string | Uint8Array | RgbaImage;

export interface CaptionManyOptions extends Omit<CaptionOptions, 'onPartial'> {
  /** Photos read and decoded at once, ahead of the model (default 2 per thread). */
  concurrency?: number;
  /** Called as each photo is done, in the order they finish. */
  onResult?: (item: CaptionManyItem) => void;
}

/** One input's outcome in captionMany(): its result, or the error captioning it threw. */
export type CaptionManyItem = { index: number; input: CaptionInput } & ({ photo: CaptionedPhoto } | { error: Error });

export interface ModelInfo {
  /** card.json's id and name. */
  id: string;
  name: string;
  /** The package folder it was loaded from. */
  dir: string;
  backend: NodeBackend;
  /** Why a model with a detector cannot ground its captions; null when it can or has no detector. */
  groundingProblem: string | null;
}

export interface NodeCaptioner {
  readonly model: ModelInfo;
  caption(input: CaptionInput, options?: CaptionOptions): Promise<CaptionedPhoto>;
  /** Captions every input; one that fails gives an item with its error, the others go on. Items in input order. */
  captionMany(inputs: readonly CaptionInput[], options?: CaptionManyOptions): Promise<CaptionManyItem[]>;
  /** Frees the model (and its threads); the captioner cannot be used afterwards. */
  dispose(): Promise<void>;
}

function isRgbaImage(input: unknown): input is RgbaImage {
  const image = input as Partial<RgbaImage> | null;
  return typeof image === 'object' && image !== null && !(image instanceof Uint8Array) && image.data instanceof Uint8Array;
}

/** The photo's pixels, whatever form it was given in. Bad input throws a CaptionError (or TypeError for a wrong argument). */
export async function readInput(input: CaptionInput): Promise<RgbaImage> {
  if (typeof input === 'string') return decodePhoto(await readFile(input));
  if (input instanceof Uint8Array) return decodePhoto(input);
  if (isRgbaImage(input)) {
    const { width, height, data } = input;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new TypeError(`RGBA pixels need a positive integer width and height, got ${width}×${height}`);
    if (data.length !== width * height * 4) throw new TypeError(`RGBA pixels of ${width}×${height} need ${width * height * 4} bytes, got ${data.length}`);
    return { width, height, data };
  }
  throw new TypeError('caption() takes a file path, the bytes of an encoded image (Buffer or Uint8Array), or { data, width, height } RGBA pixels');
}

/** The API's options as the core's beam search and grounding settings. */
export function searchOptions({ grounding, onPartial: _onPartial, ...search }: CaptionOptions = {}): SearchOptions {
  const options: SearchOptions = { ...search };
  for (const key of Object.keys(options) as (keyof SearchOptions)[]) if (options[key] === undefined) delete options[key];
  if (grounding !== undefined) options.grounding = typeof grounding === 'number' ? { lambda: grounding } : grounding;
  return options;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** A captioner on this thread: the model runs one photo at a time (tfjs in Node is single-threaded), decoding overlaps. */
class ThreadCaptioner {
  private modelTurn: Promise<unknown> = Promise.resolve();

  constructor(
    readonly core: Captioner,
    readonly model: ModelInfo,
  ) {}

  async caption(input: CaptionInput, options: CaptionOptions = {}): Promise<CaptionedPhoto> {
    const image = await readInput(input);
    const search = searchOptions(options);
    const { onPartial } = options;
    const run = this.modelTurn.then(() => this.core.caption(image, search, onPartial && ((update) => onPartial(partialCaptions(update)))));
    this.modelTurn = run.catch(() => undefined);
    return captionedPhoto(await run, image.width, image.height);
  }
}

/** Starts the backend and loads a model package on this thread; a package that cannot load throws BrokenModelError. */
export async function loadThreadCaptioner({ model, backend = 'wasm' }: Pick<LoadCaptionerOptions, 'model' | 'backend'> = {}): Promise<ThreadCaptioner> {
  if (backend !== 'wasm' && backend !== 'cpu') throw new RangeError(`backend must be "wasm" or "cpu", got "${String(backend)}"`);
  const dir = model ?? (await defaultModelDir());
  const started = await initNodeBackend(backend);
  let core: Captioner;
  try {
    core = await loadModelCaptioner(folderPackageFiles(dir));
  } catch (error) {
    throw new BrokenModelError(`the model package in ${dir} cannot be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return new ThreadCaptioner(core, { id: core.card.id, name: core.card.name, dir, backend: started, groundingProblem: core.groundingProblem });
}

/** Runs `work` on every index with at most `limit` at once; resolves when all are done. */
async function eachLimited(count: number, limit: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}

/**
 * Loads a captioner: the package's default model unless `model` names a package folder.
 * Only one tfjs backend runs per process, so all captioners of a process share the first one's.
 */
export async function loadCaptioner(options: LoadCaptionerOptions = {}): Promise<NodeCaptioner> {
  const threads = positiveInteger('threads', options.threads, 1);
  const local = await loadThreadCaptioner(options);
  const pool = threads > 1 ? await (await import('./node-threads')).CaptionThreads.start(threads, { model: local.model.dir, backend: local.model.backend }) : null;
  let disposed = false;
  const usable = () => {
    if (disposed) throw new Error('this captioner was disposed');
  };
  return {
    model: local.model,
    caption(input, captionOptions) {
      usable();
      return local.caption(input, captionOptions);
    },
    async captionMany(inputs, { concurrency, onResult, ...captionOptions } = {}) {
      usable();
      const items: CaptionManyItem[] = new Array(inputs.length);
      const captionOne = (input: CaptionInput) => (pool ? pool.caption(input, captionOptions) : local.caption(input, captionOptions));
      await eachLimited(inputs.length, positiveInteger('concurrency', concurrency, 2 * threads), async (index) => {
        const input = inputs[index];
        const item: CaptionManyItem = await captionOne(input).then(
          (photo) => ({ index, input, photo }),
          (error: unknown) => ({ index, input, error: error instanceof Error ? error : new Error(String(error)) }),
        );
        items[index] = item;
        onResult?.(item);
      });
      return items;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await pool?.close();
      local.core.dispose();
    },
  };
}
