/**
 * The package's Node API (`import { loadCaptioner } from 'show-and-tell-browser'`):
 *
 *   const captioner = await loadCaptioner();
 *   const { captions } = await captioner.caption('photo.jpg');
 *   console.log(captions[0].sentence);
 *
 * The CLI (src/cli) captions through it, one captioner per thread.
 */
import type { NodeBackend } from '../node/backend-name';
import type { CaptionedPhoto, PartialCaptions } from './result';
import { loadThreadCaptioner } from './thread-captioner';

export { BrokenModelError, CaptionError, DamagedImageError, NotAnImageError, TruncatedImageError, UnsupportedFormatError } from '../captioner/errors';
export type { CaptionErrorCode } from '../captioner/errors';
export type { CaptionedPhoto, CaptionLine, DetectedObjectBox, PartialCaptions } from './result';
export type { NodeBackend } from '../node/backend-name';

export interface LoadCaptionerOptions {
  /** A model package folder (model.json, card.json, word_counts.txt…); default: the model shipped in the package. */
  model?: string;
  /**
   * The caption language (BCP 47, e.g. "de"): without `model`, that language's default model among the
   * package's models; with `model`, a check that it captions in that language. A language no model has
   * throws a RangeError that lists the languages there are.
   */
  language?: string;
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
  /**
   * Ground object words in what the detector saw: true (default, the model's settings), false, the
   * weight λ, or settings of the card's `grounding` to override ({ lambda, threshold, floor }).
   */
  grounding?: boolean | number | { lambda?: number; threshold?: number; floor?: number };
  /** Called after every step of the search with the partial captions, best first. */
  onPartial?: (partial: PartialCaptions) => void;
}

/** RGBA pixels, 4 bytes a pixel, rows top to bottom. */
export interface RgbaPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A photo: a file path, an encoded image's bytes (JPEG, PNG, GIF, WebP, BMP), or RGBA pixels. */
export type CaptionInput = string | Uint8Array | RgbaPixels;

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
  /** The language its captions are in (card.json's, BCP 47). */
  language: string;
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

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
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
    async caption(input, captionOptions) {
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
